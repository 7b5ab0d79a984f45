// The Graph API's transport for Instagram and Facebook Pages: the pinned version in every path, the
// token as a parameter, and Graph's error codes turned into what the owner should do.
import { Transport, type Explanation, type FailedAnswer } from '../../../platform/integrations/transport.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { MetaSettings } from '../settings.ts';

/** Graph's error codes that mean one thing whatever the call, in the owner's words. */
const CODES: Record<number, Explanation> = {
  190: {
    kind: 'auth',
    message: 'the access token expired or was revoked: reconnect the account on Settings',
  },
  102: { kind: 'auth', message: 'the session is no longer valid: reconnect the account on Settings' },
  10: { kind: 'auth', message: 'the app lacks a permission it needs: reconnect and grant publishing' },
  200: { kind: 'auth', message: 'the app lacks a permission it needs: reconnect and grant publishing' },
  4: { kind: 'rate_limited', message: 'Meta’s request limit for the app was reached: it goes later' },
  17: { kind: 'rate_limited', message: 'Meta’s request limit for the account was reached: it goes later' },
  32: { kind: 'rate_limited', message: 'Meta’s request limit for the Page was reached: it goes later' },
  613: { kind: 'rate_limited', message: 'Meta’s rate limit was reached: it goes later' },
  1: { kind: 'unavailable', message: 'Meta had an unknown problem' },
  2: { kind: 'unavailable', message: 'Meta’s service was temporarily unavailable' },
};

/** Instagram's publishing subcodes. */
const SUBCODES: Record<number, Explanation> = {
  2207042: {
    kind: 'rate_limited',
    message: 'Instagram’s limit of posts per 24 hours was reached: it goes when the window allows',
  },
  2207027: { kind: 'unavailable', message: 'the media was not ready to publish yet' },
  2207009: {
    kind: 'rejected',
    message: 'Instagram refused the image’s shape (feed images are 4:5 to 1.91:1)',
  },
  2207052: {
    kind: 'rejected',
    message: 'Instagram could not fetch the image: check SHOPKEEP_MEDIA_PUBLIC_URL',
  },
  2207026: { kind: 'rejected', message: 'Instagram refused the media’s format' },
  2207006: { kind: 'rejected', message: 'the media expired or was already published' },
  2207008: { kind: 'rejected', message: 'the container expired (24 h): it is made again' },
};

export interface GraphError {
  code?: number;
  error_subcode?: number;
  message?: string;
  error_user_msg?: string;
  is_transient?: boolean;
}

export function graphErrorOf(body: unknown): GraphError | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as GraphError) : undefined;
}

export function explainGraph(label: string) {
  return ({ body }: FailedAnswer): Explanation | undefined => {
    const error = graphErrorOf(body);
    if (!error) return undefined;
    const known =
      (error.error_subcode && SUBCODES[error.error_subcode]) ||
      (error.code !== undefined && CODES[error.code]);
    const said = error.error_user_msg ?? error.message ?? 'no message';
    const code = `code ${error.code ?? '?'}${error.error_subcode ? `/${error.error_subcode}` : ''}`;
    if (known) return { kind: known.kind, message: `${label}: ${known.message} (${code}: ${said})` };
    if (error.is_transient)
      return { kind: 'unavailable', message: `${label}: a passing problem (${code}: ${said})` };
    return { kind: 'rejected', message: `${label} refused it (${code}: ${said})` };
  };
}

export function graphTransport(
  integration: 'instagram' | 'facebook',
  meta: MetaSettings,
  token: string,
  logger?: Logger,
): Transport {
  const label = integration === 'instagram' ? 'Instagram' : 'Facebook';
  return new Transport({
    integration,
    label,
    baseUrl: `${meta.baseUrl}/${meta.version}`,
    headers: { authorization: `Bearer ${token}` },
    secrets: [token, meta.appSecret],
    explain: explainGraph(label),
    timeoutMs: 30_000,
    deadlineMs: 90_000,
    ...(logger ? { logger } : {}),
  });
}

/** Graph's cursor pages, newest first, until `enough` says stop or `maxPages` pages were read. */
export async function* graphPages(
  transport: Transport,
  path: string,
  query: Record<string, string | number>,
  maxPages = 4,
): AsyncGenerator<Record<string, unknown>> {
  let after: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await transport.json<{
      data?: unknown;
      paging?: { cursors?: { after?: string }; next?: string };
    }>({ path, query: { ...query, ...(after ? { after } : {}) } });
    if (!Array.isArray(answer.data)) return;
    for (const item of answer.data)
      if (item && typeof item === 'object') yield item as Record<string, unknown>;
    after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
    if (!after) return;
  }
}

/** Graph's timestamps: "2026-12-07T14:05:11+0000". */
export function graphTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
