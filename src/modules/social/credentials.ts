// The social accounts on Settings: each platform's account and token (set by its variables, or typed
// there and sealed in the vault), and a connection test that reads the account with them.
import type { CredentialDefinition, CredentialValues } from '../../platform/integrations/credentials.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { recentLinkedInVersion, type SocialSettings } from './settings.ts';
import { graphTransport } from './publishers/graph.ts';
import { tiktokTransport } from './publishers/tiktok.ts';
import { linkedinTransport } from './publishers/linkedin.ts';

const digits = (value: string) => (/^\d{1,30}$/.test(value) ? undefined : 'is a number (the account’s id)');

function needed(values: CredentialValues, ...names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = values[name];
    if (!value) throw new IntegrationError('social', 'rejected', `${name} is missing`);
    out[name] = value;
  }
  return out;
}

export function socialCredentials(settings: SocialSettings): CredentialDefinition[] {
  return [
    {
      integration: 'instagram',
      label: 'Instagram',
      purpose:
        'Publishes feed posts, carousels and stories to the shop’s Instagram professional account, and reads their insights.',
      fields: [
        {
          name: 'account_id',
          label: 'Instagram account id',
          secret: false,
          env: 'INSTAGRAM_ACCOUNT_ID',
          required: true,
          check: digits,
        },
        {
          name: 'access_token',
          label: 'Access token',
          secret: true,
          env: 'INSTAGRAM_ACCESS_TOKEN',
          required: true,
        },
      ],
      test: async (values) => {
        const { account_id: id, access_token: token } = needed(values, 'account_id', 'access_token');
        const account = await graphTransport('instagram', settings.meta, token!).json<{ username?: string }>({
          path: `/${id}`,
          query: { fields: 'id,username' },
        });
        return `Instagram answered: @${account.username ?? id}.`;
      },
    },
    {
      integration: 'facebook',
      label: 'Facebook Page',
      purpose: 'Publishes the shop’s posts to its Facebook Page.',
      fields: [
        {
          name: 'page_id',
          label: 'Page id',
          secret: false,
          env: 'FACEBOOK_PAGE_ID',
          required: true,
          check: digits,
        },
        {
          name: 'access_token',
          label: 'Page access token',
          secret: true,
          env: 'FACEBOOK_PAGE_ACCESS_TOKEN',
          required: true,
        },
      ],
      test: async (values) => {
        const { page_id: id, access_token: token } = needed(values, 'page_id', 'access_token');
        const page = await graphTransport('facebook', settings.meta, token!).json<{ name?: string }>({
          path: `/${id}`,
          query: { fields: 'id,name' },
        });
        return `Facebook answered: the Page “${page.name ?? id}”.`;
      },
    },
    {
      integration: 'tiktok',
      label: 'TikTok',
      purpose:
        'Publishes photo posts to the shop’s TikTok account (an unaudited app posts privately: see the guide).',
      fields: [
        {
          name: 'access_token',
          label: 'Access token',
          secret: true,
          env: 'TIKTOK_ACCESS_TOKEN',
          required: true,
        },
        { name: 'refresh_token', label: 'Refresh token', secret: true, env: 'TIKTOK_REFRESH_TOKEN' },
        { name: 'client_key', label: 'Client key', secret: false, env: 'TIKTOK_CLIENT_KEY' },
        { name: 'client_secret', label: 'Client secret', secret: true, env: 'TIKTOK_CLIENT_SECRET' },
      ],
      test: async (values) => {
        const { access_token: token } = needed(values, 'access_token');
        const answer = await tiktokTransport(settings.tiktokBaseUrl, token!).json<{
          data?: { creator_username?: string; privacy_level_options?: string[] };
        }>({
          method: 'POST',
          path: '/v2/post/publish/creator_info/query/',
          json: {},
          headers: { 'content-type': 'application/json; charset=UTF-8' },
          idempotent: true,
        });
        const options = answer.data?.privacy_level_options ?? [];
        return `TikTok answered: @${answer.data?.creator_username ?? '?'}, may post as ${options.join(', ') || 'nothing'}.`;
      },
    },
    {
      integration: 'linkedin',
      label: 'LinkedIn page',
      purpose: 'Publishes the weekly post for salons to the shop’s LinkedIn organization page.',
      fields: [
        {
          name: 'organization_id',
          label: 'Organization id',
          secret: false,
          env: 'LINKEDIN_ORGANIZATION_ID',
          required: true,
          check: digits,
        },
        {
          name: 'access_token',
          label: 'Access token',
          secret: true,
          env: 'LINKEDIN_ACCESS_TOKEN',
          required: true,
        },
      ],
      test: async (values) => {
        const { organization_id: id, access_token: token } = needed(
          values,
          'organization_id',
          'access_token',
        );
        const version = settings.linkedin?.version ?? recentLinkedInVersion(new Date());
        const org = await linkedinTransport(settings.linkedinBaseUrl, token!, version).json<{
          localizedName?: string;
        }>({
          path: `/rest/organizations/${id}`,
        });
        return `LinkedIn answered: ${org.localizedName ?? `organization ${id}`}.`;
      },
    },
  ];
}
