// The platforms shopkeep publishes to, built from the settings and the tokens it renewed since (kept
// sealed in the vault: a renewed token wins over the one the settings were started with). A token is
// renewed before it expires, the owner is warned a week ahead when it cannot be, a refresh token is
// never replaced by an empty one, and a network error is never taken for a dead token.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Secrets } from '../../platform/vault/face.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifier } from '../../platform/notify/face.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import type { SocialSettings } from './settings.ts';
import { graphTransport } from './publishers/graph.ts';
import { InstagramPublisher } from './publishers/instagram.ts';
import { FacebookPublisher } from './publishers/facebook.ts';
import { refreshTikTok, tiktokTransport, TikTokPublisher } from './publishers/tiktok.ts';
import { linkedinTransport, LinkedInPublisher } from './publishers/linkedin.ts';
import { UnexpectedAnswer, type Platform, type Publisher } from './publishers/publisher.ts';

const WARN_DAYS = 7;
/** The tokens shopkeep renews by itself and keeps in the vault. */
const RENEWABLE = {
  'tiktok.access_token': true,
  'tiktok.refresh_token': true,
  'instagram.access_token': true,
};
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');
const DAY = 86_400_000;

export interface TokenState {
  channel: Platform;
  expiresAt: Date | null;
  checkedAt: Date;
  warnedAt: Date | null;
}

export class Connections {
  private built: Map<Platform, Publisher> | undefined;
  private readonly renewed = new Map<string, string>();

  constructor(
    private readonly settings: SocialSettings,
    private readonly db: pg.Pool,
    private readonly vault: Secrets,
    private readonly notifications: Notifier,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /**
   * Loads the tokens renewed before this start, each kept with a fingerprint of the configured token
   * it was renewed from: when the owner has connected again since (a new token on Settings or in the
   * environment), theirs wins and the renewed one is forgotten.
   */
  async load(): Promise<void> {
    for (const name of Object.keys(RENEWABLE)) {
      const value = await this.vault.get(`social.${name}`);
      const from = await this.vault.get(`social.${name}.from`);
      if (value && from === fingerprint(this.configured(name))) this.renewed.set(name, value);
    }
    this.built = undefined;
  }

  /** The token the settings give for a renewable name ('' when that platform is not set up). */
  private configured(name: string): string {
    const s = this.settings;
    if (name === 'instagram.access_token') return s.instagram?.token ?? '';
    if (name === 'tiktok.access_token') return s.tiktok?.token ?? '';
    return s.tiktok?.refreshToken ?? '';
  }

  private token(name: string, configured: string): string {
    return this.renewed.get(name) ?? configured;
  }

  /** The connected platforms' publishers. */
  publishers(): ReadonlyMap<Platform, Publisher> {
    if (this.built) return this.built;
    const s = this.settings;
    const map = new Map<Platform, Publisher>();
    if (s.instagram)
      map.set(
        'instagram',
        new InstagramPublisher(
          graphTransport(
            'instagram',
            s.meta,
            this.token('instagram.access_token', s.instagram.token),
            this.logger,
          ),
          s.instagram.accountId,
        ),
      );
    if (s.facebook)
      map.set(
        'facebook',
        new FacebookPublisher(
          graphTransport('facebook', s.meta, s.facebook.token, this.logger),
          s.facebook.pageId,
        ),
      );
    if (s.tiktok) {
      const tiktok = s.tiktok;
      const transport = () =>
        tiktokTransport(tiktok.baseUrl, this.token('tiktok.access_token', tiktok.token), this.logger);
      let cached = transport();
      let cachedFor = this.token('tiktok.access_token', tiktok.token);
      map.set(
        'tiktok',
        new TikTokPublisher(
          () => {
            const current = this.token('tiktok.access_token', tiktok.token);
            if (current !== cachedFor) [cached, cachedFor] = [transport(), current];
            return cached;
          },
          tiktok.privacyLevel,
          undefined,
          undefined,
          async () => (await this.renewNow('tiktok')) !== undefined,
        ),
      );
    }
    if (s.linkedin)
      map.set(
        'linkedin',
        new LinkedInPublisher(
          linkedinTransport(s.linkedin.baseUrl, s.linkedin.token, s.linkedin.version, this.logger),
          s.linkedin.organizationId,
        ),
      );
    this.built = map;
    return map;
  }

  connected(): Platform[] {
    return [...this.publishers().keys()];
  }

  async states(): Promise<TokenState[]> {
    const { rows } = await this.db.query<{
      channel: Platform;
      expires_at: Date | null;
      checked_at: Date;
      warned_at: Date | null;
    }>('select channel, expires_at, checked_at, warned_at from social_tokens order by channel');
    return rows.map((row) => ({
      channel: row.channel,
      expiresAt: row.expires_at,
      checkedAt: row.checked_at,
      warnedAt: row.warned_at,
    }));
  }

  /**
   * Renews what can be renewed and warns about what will expire within a week. A platform that cannot
   * be reached keeps its token and its state; only a refusal counts against a token.
   */
  async check(): Promise<TokenState[]> {
    const now = this.now();
    for (const channel of this.connected()) {
      let expiresAt: Date | null | undefined;
      try {
        expiresAt = await this.renew(channel);
      } catch (error) {
        if (error instanceof IntegrationError && error.kind === 'unavailable') {
          this.logger.warn(
            { channel, err: error.message },
            'could not reach the platform to check its token; trying again later',
          );
          continue;
        }
        const message = error instanceof Error ? error.message : String(error);
        await this.notifications.send({
          kind: 'social.token',
          severity: 'warning',
          title: `${channel}: the connection needs you`,
          body: `${message}\nReconnect it on Settings; posts wait (held) until it works again.`,
          dedupeKey: `social.token-refused:${channel}:${now.toISOString().slice(0, 10)}`,
        });
        continue;
      }
      await this.db.query(
        `insert into social_tokens (channel, expires_at, checked_at) values ($1, $2, $3)
         on conflict (channel) do update set expires_at = excluded.expires_at, checked_at = excluded.checked_at`,
        [channel, expiresAt ?? null, now],
      );
      // TikTok's access token lasts hours and is renewed with its refresh token: nothing to warn about.
      if (channel !== 'tiktok' && expiresAt && expiresAt.getTime() - now.getTime() < WARN_DAYS * DAY)
        await this.warn(channel, expiresAt, now);
    }
    return this.states();
  }

  /** Renews a token the platform just refused (TikTok's last hours); undefined when it cannot. */
  async renewNow(channel: Platform): Promise<Date | null | undefined> {
    try {
      const expiresAt = await this.renew(channel);
      if (expiresAt !== undefined)
        await this.db.query(
          `insert into social_tokens (channel, expires_at, checked_at) values ($1, $2, $3)
           on conflict (channel) do update set expires_at = excluded.expires_at, checked_at = excluded.checked_at`,
          [channel, expiresAt, this.now()],
        );
      return expiresAt;
    } catch (error) {
      this.logger.warn({ channel, err: (error as Error).message }, 'could not renew the token');
      return undefined;
    }
  }

  /** Renews the channel's token where the platform allows, and says when the current one expires. */
  private async renew(channel: Platform): Promise<Date | null | undefined> {
    const s = this.settings;
    if (channel === 'tiktok' && s.tiktok) {
      const refreshToken = this.token('tiktok.refresh_token', s.tiktok.refreshToken ?? '');
      if (!refreshToken || !s.tiktok.clientKey || !s.tiktok.clientSecret) return undefined;
      const renewed = await refreshTikTok(s.tiktok.baseUrl, {
        clientKey: s.tiktok.clientKey,
        clientSecret: s.tiktok.clientSecret,
        refreshToken,
      });
      await this.keep('tiktok.access_token', renewed.accessToken);
      // TikTok sends a new refresh token each time; an empty one never replaces the one kept.
      if (renewed.refreshToken) await this.keep('tiktok.refresh_token', renewed.refreshToken);
      return renewed.expiresAt;
    }
    if (channel === 'instagram' && s.instagram) return this.renewInstagram();
    return undefined;
  }

  /** Meta's long-lived tokens: read the expiry, and exchange for a fresh one when the app is known. */
  private async renewInstagram(): Promise<Date | null | undefined> {
    const s = this.settings;
    if (!s.instagram) return undefined;
    const token = this.token('instagram.access_token', s.instagram.token);
    const graph = graphTransport('instagram', s.meta, token, this.logger);
    const debug = await graph.json<{ data?: { expires_at?: number; is_valid?: boolean } }>({
      path: '/debug_token',
      query: { input_token: token },
    });
    if (debug.data?.is_valid === false)
      throw new IntegrationError('instagram', 'auth', 'Instagram says the token is no longer valid');
    const expiresAt = debug.data?.expires_at ? new Date(debug.data.expires_at * 1000) : null;
    if (!expiresAt || !s.meta.appId || !s.meta.appSecret) return expiresAt;
    if (expiresAt.getTime() - this.now().getTime() > 30 * DAY) return expiresAt;
    const exchanged = await graph.json<{ access_token?: string; expires_in?: number }>({
      path: '/oauth/access_token',
      query: {
        grant_type: 'fb_exchange_token',
        client_id: s.meta.appId,
        client_secret: s.meta.appSecret,
        fb_exchange_token: token,
      },
    });
    if (!exchanged.access_token) throw new UnexpectedAnswer('Meta token exchange: no access_token');
    await this.keep('instagram.access_token', exchanged.access_token);
    return exchanged.expires_in ? new Date(this.now().getTime() + exchanged.expires_in * 1000) : expiresAt;
  }

  private async keep(name: string, value: string): Promise<void> {
    if (!value) return;
    await this.vault.set(`social.${name}`, value);
    await this.vault.set(`social.${name}.from`, fingerprint(this.configured(name)));
    this.renewed.set(name, value);
    this.built = undefined;
  }

  private async warn(channel: Platform, expiresAt: Date, now: Date): Promise<void> {
    const days = Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY));
    await this.notifications.send({
      kind: 'social.token',
      severity: 'warning',
      title: `${channel}: the connection expires in ${days} day${days === 1 ? '' : 's'}`,
      body: `shopkeep cannot renew this token by itself. Reconnect ${channel} on Settings before ${expiresAt.toISOString().slice(0, 10)}, or its posts will be held.`,
      dedupeKey: `social.token-expiry:${channel}:${expiresAt.toISOString().slice(0, 10)}`,
    });
    await this.db.query('update social_tokens set warned_at = $2 where channel = $1', [channel, now]);
  }
}
