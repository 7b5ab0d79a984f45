// What Settings asks of the outgoing webhooks: the endpoints, adding one (its signing secret is
// answered once), whether it may reach a private address, and removing one.
import type { WebhookEndpoint } from './webhooks.ts';

export interface OutgoingWebhooks {
  list(): Promise<WebhookEndpoint[]>;
  create(endpoint: {
    url: string;
    eventTypes: string[];
    allowPrivateTarget?: boolean | undefined;
  }): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  allowPrivateTarget(id: string, allow: boolean): Promise<WebhookEndpoint>;
  remove(id: string): Promise<void>;
}
