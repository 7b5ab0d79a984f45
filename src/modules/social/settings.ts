// Where the social module publishes: each platform's address, account and token (set here or typed
// on Settings and sealed in the vault), and the public address the platforms fetch media from.
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';

export interface MetaSettings {
  baseUrl: string;
  version: string;
  appId: string | undefined;
  appSecret: string | undefined;
}

export interface SocialSettings {
  meta: MetaSettings;
  instagram: { accountId: string; token: string } | undefined;
  facebook: { pageId: string; token: string } | undefined;
  tiktok:
    | {
        baseUrl: string;
        token: string;
        refreshToken: string | undefined;
        clientKey: string | undefined;
        clientSecret: string | undefined;
        /** Posted with when TikTok offers it (an unaudited app: SELF_ONLY only). */
        privacyLevel: string;
      }
    | undefined;
  linkedin: { baseUrl: string; organizationId: string; token: string; version: string } | undefined;
  /** What the platforms fetch prepared images from (a tunnel or the shop's own public address). */
  mediaPublicUrl: string | undefined;
  /** Whether images the owner names by address may sit on this network (refused by default). */
  allowPrivateImageSources: boolean;
  /** TikTok's base even when TikTok is not set up (the Settings connection test uses it). */
  tiktokBaseUrl: string;
  linkedinBaseUrl: string;
}

const base = (read: SettingsReader, name: string, fallback: string) =>
  (read.url(name, ['http:', 'https:']) ?? fallback).replace(/\/+$/, '');

export function socialSettings(read: SettingsReader): SocialSettings {
  const version = read.text('META_GRAPH_API_VERSION') ?? 'v23.0';
  if (!/^v\d+\.\d+$/.test(version))
    throw new ConfigError('META_GRAPH_API_VERSION', `must look like v23.0, got "${version}"`);
  const linkedinVersion = read.text('LINKEDIN_API_VERSION') ?? recentLinkedInVersion(new Date());
  if (!/^\d{6}$/.test(linkedinVersion))
    throw new ConfigError('LINKEDIN_API_VERSION', `must be a YYYYMM month such as 202511`);
  const pair = <T>(idName: string, tokenName: string, make: (id: string, token: string) => T) => {
    const id = read.text(idName);
    const token = read.text(tokenName);
    if (!id && !token) return undefined;
    if (!id) throw new ConfigError(idName, `is needed with ${tokenName}`);
    if (!token) throw new ConfigError(tokenName, `is needed with ${idName}`);
    if (!/^\d{1,30}$/.test(id)) throw new ConfigError(idName, 'is a number (the account’s id)');
    return make(id, token);
  };
  const tiktokBaseUrl = base(read, 'TIKTOK_API_BASE_URL', 'https://open.tiktokapis.com');
  const linkedinBaseUrl = base(read, 'LINKEDIN_API_BASE_URL', 'https://api.linkedin.com');
  const tiktokToken = read.text('TIKTOK_ACCESS_TOKEN');
  return {
    meta: {
      baseUrl: base(read, 'META_GRAPH_API_BASE_URL', 'https://graph.facebook.com'),
      version,
      appId: read.text('META_APP_ID'),
      appSecret: read.text('META_APP_SECRET'),
    },
    instagram: pair('INSTAGRAM_ACCOUNT_ID', 'INSTAGRAM_ACCESS_TOKEN', (accountId, token) => ({
      accountId,
      token,
    })),
    facebook: pair('FACEBOOK_PAGE_ID', 'FACEBOOK_PAGE_ACCESS_TOKEN', (pageId, token) => ({ pageId, token })),
    tiktok: tiktokToken
      ? {
          baseUrl: tiktokBaseUrl,
          token: tiktokToken,
          refreshToken: read.text('TIKTOK_REFRESH_TOKEN'),
          clientKey: read.text('TIKTOK_CLIENT_KEY'),
          clientSecret: read.text('TIKTOK_CLIENT_SECRET'),
          privacyLevel: read.oneOf(
            'TIKTOK_PRIVACY_LEVEL',
            ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'],
            'PUBLIC_TO_EVERYONE',
          ),
        }
      : undefined,
    linkedin: pair('LINKEDIN_ORGANIZATION_ID', 'LINKEDIN_ACCESS_TOKEN', (organizationId, token) => ({
      baseUrl: linkedinBaseUrl,
      organizationId,
      token,
      version: linkedinVersion,
    })),
    mediaPublicUrl: read.url('SHOPKEEP_MEDIA_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    allowPrivateImageSources:
      read.oneOf('SHOPKEEP_MEDIA_PRIVATE_SOURCES', ['refuse', 'allow'], 'refuse') === 'allow',
    tiktokBaseUrl,
    linkedinBaseUrl,
  };
}

/**
 * LinkedIn serves each monthly API version for about a year: by default, last month's (a version is
 * published during its month, so the current one may not exist yet on its first days).
 */
export function recentLinkedInVersion(now: Date): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}
