// The webhook topics shopkeep needs, registered with Shopify at this server's public address; ours
// left at an old address (the public URL changed) are removed, as they would deliver twice or to
// nowhere.
import type { ShopifyClient } from './client.ts';
import type { WebhookRegistration } from './face.ts';
import { WEBHOOK_CREATE_MUTATION, WEBHOOK_DELETE_MUTATION, WEBHOOK_SUBSCRIPTIONS_QUERY } from './queries.ts';
import { TOPICS, topicEnum } from './topics.ts';

interface Subscription {
  id: string;
  topic: string;
  uri: string;
}

export async function syncWebhooks(shopify: ShopifyClient, publicUrl: string): Promise<WebhookRegistration> {
  const uri = `${publicUrl}/webhooks/shopify`;
  const existing: Subscription[] = [];
  for await (const page of shopify.pages<
    {
      webhookSubscriptions: {
        nodes: Subscription[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    },
    Subscription
  >(WEBHOOK_SUBSCRIPTIONS_QUERY, {}, (data) => data.webhookSubscriptions)) {
    existing.push(...page.nodes);
  }
  const result: WebhookRegistration = { created: [], kept: [], removed: [] };
  for (const topic of TOPICS) {
    const name = topicEnum(topic);
    if (existing.some((subscription) => subscription.topic === name && subscription.uri === uri)) {
      result.kept.push(topic);
      continue;
    }
    const data = await shopify.query<{ webhookSubscriptionCreate: { userErrors: { message: string }[] } }>(
      WEBHOOK_CREATE_MUTATION,
      { topic: name, uri },
    );
    const problems = data.webhookSubscriptionCreate.userErrors;
    if (problems.length)
      throw new Error(`Shopify refused the ${topic} webhook: ${problems.map((p) => p.message).join('; ')}`);
    result.created.push(topic);
  }
  for (const subscription of existing) {
    if (subscription.uri !== uri && subscription.uri.endsWith('/webhooks/shopify')) {
      await shopify.query(WEBHOOK_DELETE_MUTATION, { id: subscription.id });
      result.removed.push(`${subscription.topic} → ${subscription.uri}`);
    }
  }
  return result;
}
