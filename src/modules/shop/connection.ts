// Where the Shopify connection comes from: SHOPIFY_* variables, or what the owner entered in the
// dashboard (sealed in the vault). Read once and cached; saving new details clears the cache.
import type pg from 'pg';
import type { ShopifyConfig } from './settings.ts';
import { AppError } from '../../platform/errors.ts';
import { CircuitBreaker } from '../../platform/integrations/circuit-breaker.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Secrets } from '../../platform/vault/index.ts';
import { ShopifyClient, type ShopifyConnection } from './client.ts';
import { SHOP_QUERY } from './queries.ts';

export interface Connection extends ShopifyConnection {
  apiSecret: string | undefined;
  from: 'environment' | 'dashboard';
}

export interface ShopInfo {
  name: string;
  domain: string;
  currency: string;
  timezone: string;
}

const SECRETS = { shop: 'shopify.shop', adminToken: 'shopify.admin_token', apiSecret: 'shopify.api_secret' };
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export class ShopConnection {
  private cached: Promise<Connection | undefined> | undefined;
  private info: ShopInfo | undefined;
  /** Shared by every client of this shop: when Shopify is down, all of them leave it alone a while. */
  private breaker = new CircuitBreaker();

  private readonly pool: pg.Pool;
  private readonly config: ShopifyConfig;
  private readonly vault: Secrets;
  private readonly logger: Logger;

  constructor(options: { pool: pg.Pool; settings: ShopifyConfig; vault: Secrets; logger: Logger }) {
    this.pool = options.pool;
    this.config = options.settings;
    this.vault = options.vault;
    this.logger = options.logger;
  }

  /** The connection, or undefined while the shop is not connected. */
  get(): Promise<Connection | undefined> {
    this.cached ??= this.resolve().catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }

  async require(): Promise<Connection> {
    const connection = await this.get();
    if (!connection) {
      throw new AppError(
        'conflict',
        'Shopify is not connected: enter the shop, admin API token and API secret under Settings → Shopify, or set SHOPIFY_SHOP and SHOPIFY_ADMIN_TOKEN',
      );
    }
    return connection;
  }

  async client(options: { timeoutMs?: number; bulkPollMs?: number } = {}): Promise<ShopifyClient> {
    return new ShopifyClient(await this.require(), {
      logger: this.logger,
      breaker: this.breaker,
      ...options,
    });
  }

  /** Asks Shopify who the shop is; remembers its currency and time zone. */
  async test(): Promise<ShopInfo> {
    const client = await this.client({ timeoutMs: 15_000 });
    const { shop } = await client.query<{
      shop: { name: string; myshopifyDomain: string; currencyCode: string; ianaTimezone: string };
    }>(SHOP_QUERY);
    const info = {
      name: shop.name,
      domain: shop.myshopifyDomain,
      currency: shop.currencyCode,
      timezone: shop.ianaTimezone,
    };
    await this.pool.query(
      `insert into shop_sync_cursors (resource, cursor) values ('shop.info', $1)
       on conflict (resource) do update set cursor = excluded.cursor, updated_at = now()`,
      [JSON.stringify(info)],
    );
    this.info = info;
    return info;
  }

  /** The shop's details as last seen; asks Shopify the first time. */
  async shopInfo(): Promise<ShopInfo> {
    if (this.info) return this.info;
    const { rows } = await this.pool.query<{ cursor: string }>(
      "select cursor from shop_sync_cursors where resource = 'shop.info'",
    );
    if (rows[0]) return (this.info = JSON.parse(rows[0].cursor) as ShopInfo);
    return this.test();
  }

  /** Saves what the owner entered in the dashboard, after checking it with Shopify. */
  async save(input: { shop: string; adminToken: string; apiSecret: string }): Promise<ShopInfo> {
    if (this.config.shop) {
      throw new AppError(
        'conflict',
        'the Shopify connection is set by SHOPIFY_* environment variables; change it there',
      );
    }
    const shop = input.shop
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/.*$/, '');
    if (!SHOP_DOMAIN.test(shop))
      throw new AppError(
        'invalid_request',
        'the shop is its myshopify.com domain, such as my-shop.myshopify.com',
      );
    const previous = this.cached;
    // A new shop or token starts with a clean record: the old one's failures say nothing about it.
    this.breaker = new CircuitBreaker();
    this.cached = Promise.resolve({
      shop,
      adminToken: input.adminToken.trim(),
      apiSecret: input.apiSecret.trim(),
      // SHOPIFY_API_BASE_URL (a proxy, the simulator) holds for a shop entered here too.
      baseUrl: this.config.baseUrl ?? `https://${shop}`,
      from: 'dashboard',
    });
    try {
      const info = await this.test();
      await this.vault.set(SECRETS.shop, shop);
      await this.vault.set(SECRETS.adminToken, input.adminToken.trim());
      await this.vault.set(SECRETS.apiSecret, input.apiSecret.trim());
      return info;
    } catch (error) {
      this.cached = previous;
      throw error;
    }
  }

  private async resolve(): Promise<Connection | undefined> {
    const { shop, adminToken, apiSecret, baseUrl } = this.config;
    if (shop && adminToken) {
      return { shop, adminToken, apiSecret, baseUrl: baseUrl ?? `https://${shop}`, from: 'environment' };
    }
    const [savedShop, savedToken, savedSecret] = await Promise.all([
      this.vault.get(SECRETS.shop),
      this.vault.get(SECRETS.adminToken),
      this.vault.get(SECRETS.apiSecret),
    ]);
    if (!savedShop || !savedToken) return undefined;
    return {
      shop: savedShop,
      adminToken: savedToken,
      apiSecret: savedSecret,
      baseUrl: baseUrl ?? `https://${savedShop}`,
      from: 'dashboard',
    };
  }
}
