// `shopkeep shop …`: the Shopify connection from a terminal: status, test, import, reconcile and
// webhook registration. Long steps show progress on stderr; --json prints data on stdout.
import { UsageError, options, print } from '../../platform/cli/args.ts';
import { progress, progressBar } from '../../platform/cli/io.ts';
import { explainShopify } from './client.ts';
import type { ModuleCommand, ModuleCommandContext } from '../../platform/kit/module.ts';
import type { ShopParts } from './index.ts';

async function shopCommand(context: ModuleCommandContext<ShopParts>): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = options(rest, { json: { type: 'boolean' } });
  const json = Boolean(values.json);
  switch (action) {
    case 'status':
      return context.open(async ({ shop }) => {
        const status = await shop.status();
        const run = (summary: typeof status.lastImport) =>
          summary
            ? `${summary.status}, started ${summary.startedAt}${summary.error ? ` (${summary.error})` : ''}`
            : 'never';
        print(
          json,
          status,
          [
            status.connected ? `Connected to ${status.shop} (${status.from}).` : 'Not connected to Shopify.',
            `Last webhook: ${status.lastWebhookAt ?? 'never'}; ${status.webhooks.last24h} in 24 h, ${status.webhooks.pending} waiting, ${status.webhooks.failed} failed.`,
            `Import: ${run(status.lastImport)}.`,
            `Last reconciliation: ${run(status.lastReconciliation)}.`,
            `Changes webhooks missed in the last 7 days: ${status.driftLast7Days}.`,
          ].join('\n'),
        );
        return 0;
      });
    case 'test':
      return context.open(async ({ shop }) => {
        progress('asking Shopify who the shop is');
        const info = await shop.connection.test().catch(explainShopify);
        print(
          json,
          info,
          `Connected: ${info.name} (${info.domain}), prices in ${info.currency}, time zone ${info.timezone}.`,
        );
        return 0;
      });
    case 'import':
    case 'reconcile':
      return context.open(async ({ shop }) => {
        const bar = progressBar();
        const onProgress = (p: { step: string; done: number; total?: number }) =>
          bar.update(p.step, p.done, p.total);
        const started = Date.now();
        try {
          if (action === 'import') {
            const result = await shop.importAll(onProgress).catch(explainShopify);
            bar.end();
            const counts = Object.entries(result.counts)
              .map(([step, count]) => `${count} ${step}`)
              .join(', ');
            print(
              json,
              { ...result, seconds: (Date.now() - started) / 1000 },
              `Imported ${counts} in ${Math.round((Date.now() - started) / 1000)} s.`,
            );
          } else {
            const result = await shop.reconcile(onProgress, { full: true }).catch(explainShopify);
            bar.end();
            print(
              json,
              result,
              result.repaired
                ? `Reconciled: ${result.repaired} change(s) had not arrived by webhook and are now stored.`
                : 'Reconciled: nothing was missing.',
            );
          }
        } finally {
          bar.end();
        }
        return 0;
      });
    case 'webhooks': {
      if (positionals[0] !== 'sync') throw new UsageError('shop webhooks takes one action: sync');
      return context.open(async ({ shop }) => {
        const { config } = context;
        if (config.publicUrl.startsWith('http://localhost')) {
          progress(
            `SHOPKEEP_PUBLIC_URL is ${config.publicUrl}: Shopify cannot reach that; set the address Shopify should call`,
          );
        }
        progress('registering webhook topics');
        const result = await shop.syncWebhooks(config.publicUrl).catch(explainShopify);
        print(
          json,
          result,
          `Webhooks at ${config.publicUrl}/webhooks/shopify: ${result.created.length} registered, ${result.kept.length} already there, ${result.removed.length} old ones removed.`,
        );
        return 0;
      });
    }
    default:
      throw new UsageError('shop needs an action: status, test, import, reconcile or webhooks sync');
  }
}

export const shopCommands: Record<string, ModuleCommand<ShopParts>> = {
  shop: {
    summary: 'Shopify: status, test the connection, import everything, reconcile now, register webhooks',
    usage:
      'shopkeep shop status [--json]\n  shopkeep shop test [--json]\n  shopkeep shop import [--json]   (resumes a stopped import)\n  shopkeep shop reconcile [--json]\n  shopkeep shop webhooks sync [--json]   (at SHOPKEEP_PUBLIC_URL/webhooks/shopify)',
    run: shopCommand,
  },
};
