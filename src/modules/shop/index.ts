// Shop: the Shopify connection. Webhook intake (verify, dedupe, persist, acknowledge) and the applier,
// the import and reconciliation, and the shop's data: orders, refunds, transactions, payouts,
// disputes, products and stock, customers. Offers the books the shop's records and the QA gate its
// catalog.
import type pg from 'pg';
import { defineModule } from '../../platform/kit/module.ts';
import type { JobQueue } from '../../platform/jobs/job-queue.ts';
import { sourcePath } from '../../platform/paths.ts';
import { ShopService } from './shop-service.ts';
import { shopSettings, type ShopifyConfig } from './settings.ts';
import * as tables from './schema.ts';
import { shopEvents } from './events.ts';
import { shopRoutes } from './routes.ts';
import { shopPages } from './pages.ts';
import { setAsideActions, setAsidePanel } from './set-aside.ts';
import { shopTelegramCommands } from './telegram.ts';
import { shopCommands } from './commands.ts';
import type { Catalog } from './catalog.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifications } from '../../platform/notify/notifications.ts';
import { describeError } from '../../platform/errors.ts';

export { StaticCatalog, type Catalog, type CatalogProduct } from './catalog.ts';

export interface ShopParts {
  shop: ShopService;
  jobs: JobQueue;
  /** The webhook intake writes deliveries straight into the module's table. */
  db: pg.Pool;
  timezone: string;
  logger: Logger;
  notifications: Notifications;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    shop: ShopService;
    catalog: Catalog;
  }
}

export default defineModule<ShopifyConfig, ShopParts>({
  name: 'shop',
  migrations: { dir: sourcePath('modules/shop/migrations') },
  tables,
  events: shopEvents,
  settings: shopSettings,
  needs: ['vault', 'notifications'],
  build: ({ db, settings, logger, metrics, config, jobs, use }) => {
    const notifications = use('notifications');
    return {
      shop: new ShopService(
        db,
        settings,
        use('vault'),
        logger,
        metrics,
        config.timezone,
        jobs,
        notifications,
      ),
      jobs,
      db,
      timezone: config.timezone,
      logger,
      notifications,
    };
  },
  provides: { shop: ({ shop }) => shop, catalog: ({ shop }) => shop.catalog },
  jobs: ({ shop }) => shop.jobs(),
  http: [
    { prefix: '', register: shopRoutes },
    { prefix: '', register: shopPages },
    { prefix: '', register: setAsideActions },
  ],
  menu: [
    { href: '/orders', label: 'Orders', position: 30 },
    { href: '/products', label: 'Stock', position: 40 },
    { href: '/shop', label: 'Shopify', position: 85 },
  ],
  panels: ({ shop, timezone }) => [setAsidePanel(shop, timezone)],
  telegram: ({ shop }) => shopTelegramCommands(shop),
  commands: shopCommands,
  async start({ shop, jobs, logger }, { http, work }) {
    if (work) shop.applier.start();
    // On start: the first import if none finished, else a reconciliation to catch what was missed
    // while shopkeep was down.
    if (http)
      await shop
        .catchUp(jobs)
        .catch((error: unknown) =>
          logger.warn({ err: describeError(error) }, 'could not queue the Shopify catch-up'),
        );
  },
  stop: ({ shop }) => shop.applier.stop(),
});
