// The Shopify connection's settings. The connection may also be entered in the dashboard (kept in the
// vault); these variables win.
import { ConfigError } from '../../platform/errors.ts';
import type { SettingsReader } from '../../platform/kit/settings.ts';

export interface ShopifyConfig {
  shop: string | undefined;
  adminToken: string | undefined;
  apiSecret: string | undefined;
  baseUrl: string | undefined;
  /** Minutes between reconciliation runs. */
  reconcileMinutes: number;
  /** Changes younger than this are left to their webhooks; reconciliation counts only older ones as missed. */
  reconcileGraceSeconds: number;
  /** A variant at or below this many units is low on stock, unless it has its own threshold. */
  lowStockDefault: number;
}

export function shopSettings(read: SettingsReader): ShopifyConfig {
  const shop = read.text('SHOPIFY_SHOP')?.toLowerCase();
  if (shop !== undefined && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new ConfigError(
      'SHOPIFY_SHOP',
      `expected the shop's myshopify.com domain, such as my-shop.myshopify.com, got "${shop}"`,
    );
  }
  return {
    shop,
    adminToken: read.text('SHOPIFY_ADMIN_TOKEN'),
    apiSecret: read.text('SHOPIFY_API_SECRET'),
    baseUrl: read.url('SHOPIFY_API_BASE_URL', ['http:', 'https:'])?.replace(/\/$/, ''),
    reconcileMinutes: read.integer('SHOPKEEP_SHOP_RECONCILE_MINUTES', 15, 1, 24 * 60),
    reconcileGraceSeconds: read.integer('SHOPKEEP_SHOP_RECONCILE_GRACE_SECONDS', 60, 0, 3600),
    lowStockDefault: read.integer('SHOPKEEP_SHOP_LOW_STOCK', 5, 0, 1_000_000),
  };
}
