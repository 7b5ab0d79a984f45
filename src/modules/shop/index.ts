// Shop: the Shopify connection. Webhook intake (verify, dedupe, persist, acknowledge) and the applier,
// the import and reconciliation, and the shop's data: orders, refunds, transactions, payouts,
// disputes, products and stock, customers. Offers the books and the Telegram commands a ShopReader,
// and the QA gate, the writer and the bot its catalog.
import { defineModule } from '../../platform/kit/module.ts';
import { shopHome } from './home.ts';
import { sourcePath } from '../../platform/paths.ts';
import { describeError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { ShopService } from './shop-service.ts';
import { shopSettings, type ShopifyConfig } from './settings.ts';
import * as tables from './schema.ts';
import { shopEvents } from './events.ts';
import { webhookIntake } from './intake.ts';
import { shopRoutes } from './routes.ts';
import { orderPages } from './order-pages.ts';
import { stockPage } from './stock-page.ts';
import { shopifyPage } from './shopify-page.ts';
import { setAsideActions, setAsidePanel } from './set-aside.ts';
import { shopTelegramCommands } from './telegram.ts';
import { shopCommands } from './commands.ts';
import type { Catalog } from './catalog.ts';
import type { ShopReader } from './face.ts';

export { StaticCatalog, type Catalog, type CatalogProduct } from './catalog.ts';
export type {
  NextPayout,
  OrderFilter,
  OrderPage,
  OrderRow,
  CampaignSales,
  PayoutRecord,
  ShopInfo,
  ShopReader,
  StockCount,
  VariantSales,
  WebhookRegistration,
} from './face.ts';
export type {
  Amount,
  BalanceTransaction,
  Customer,
  Dispute,
  InventoryLevel,
  Order,
  OrderLine,
  Payout,
  Product,
  Refund,
  RefundLine,
  ShippingLine,
  TaxLine,
  Transaction,
  Variant,
  Visit,
} from './model.ts';

export interface ShopParts {
  shop: ShopService;
  timezone: string;
  logger: Logger;
  /** What time it is (the kernel's clock): "today" on the Orders page. */
  now: () => Date;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    shop: ShopReader;
    catalog: Catalog;
  }
}

const definition = defineModule<ShopifyConfig, ShopParts>({
  name: 'shop',
  migrations: { dir: sourcePath('modules/shop/migrations') },
  tables,
  events: shopEvents,
  settings: shopSettings,
  needs: ['vault', 'notifications'],
  build: ({ db, settings, logger, metrics, config, jobs, use, now }) => ({
    shop: new ShopService({
      pool: db,
      settings,
      vault: use('vault'),
      logger,
      metrics,
      timezone: config.timezone,
      jobs,
      notifications: use('notifications'),
    }),
    timezone: config.timezone,
    logger,
    now,
  }),
  provides: { shop: ({ shop }) => shop, catalog: ({ shop }) => shop.catalog },
  jobs: ({ shop }) => shop.jobs(),
  http: [
    { prefix: '/api/v1/shop', register: shopRoutes },
    {
      // A plugin of its own: it reads bodies as raw bytes, to check Shopify's signature over them.
      prefix: '/webhooks',
      register: (app, { shop }) =>
        webhookIntake(app, {
          writer: shop.deliveryWriter,
          connection: shop.connection,
          counter: shop.webhookCounter,
          onStored: (webhookId, version) => shop.applier.stored(webhookId, version),
          staleDeliveries: shop.staleDeliveries,
        }),
    },
    { prefix: '/orders', register: orderPages },
    { prefix: '/products', register: stockPage },
    { prefix: '/shop', register: shopifyPage },
    { prefix: '/ops/deliveries', register: setAsideActions },
  ],
  menu: [
    { href: '/orders', label: 'Orders', position: 30 },
    { href: '/products', label: 'Stock', position: 40 },
    { href: '/shop', label: 'Shopify', position: 85 },
  ],
  panels: ({ shop, timezone }) => [setAsidePanel(shop, timezone)],
  home: ({ shop }) => shopHome(shop),
  telegram: ({ shop }) => shopTelegramCommands(shop),
  commands: shopCommands,
  async start({ shop, logger }, { http, work }) {
    if (work) shop.applier.start();
    // On start: the first import if none finished, else a reconciliation to catch what was missed
    // while shopkeep was down.
    if (http)
      await shop
        .catchUp()
        .catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'could not queue the Shopify catch-up'),
        );
  },
  stop: ({ shop }) => shop.applier.stop(),
});

export default definition;
