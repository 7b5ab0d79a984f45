// The AI module's services for focused tests, built with the named options the module builds them
// with: the offline provider unless a test gives its own settings, the sandbox catalog, and the
// shop's thresholds (85 / 70, three attempts).
import type pg from 'pg';
import { createLogger } from '../../src/platform/logger.ts';
import { Metrics } from '../../src/platform/http/metrics.ts';
import { SettingsReader } from '../../src/platform/kit/settings.ts';
import { AiService, type AiServiceOptions } from '../../src/modules/ai/ai-service.ts';
import { OfflineProvider } from '../../src/modules/ai/providers/offline.ts';
import { QaService, type QaServiceOptions } from '../../src/modules/ai/qa/qa-service.ts';
import { PostWriter } from '../../src/modules/ai/writer.ts';
import { aiSettings } from '../../src/modules/ai/settings.ts';
import { StaticCatalog, type Catalog } from '../../src/modules/shop/index.ts';
import type { Approvals } from '../../src/modules/approvals/index.ts';
import { SANDBOX_PRODUCTS } from '../../src/sim/catalog.ts';

export const THRESHOLDS = { autoApproveAbove: 85, regenerateBelow: 70, maxAttempts: 3 };

export const sandboxCatalog = (): Catalog => new StaticCatalog(SANDBOX_PRODUCTS);

/** The AI service; `env` as the module's settings read it (the offline provider alone without it). */
export function aiService(
  db: pg.Pool,
  env?: Record<string, string>,
  options: Partial<Pick<AiServiceOptions, 'retry' | 'notifications'>> = {},
): AiService {
  return new AiService({
    db,
    settings: aiSettings(new SettingsReader(env ?? { SHOPKEEP_AI_PROVIDER: 'offline' })).ai,
    logger: createLogger('silent'),
    metrics: new Metrics(),
    ...(env ? {} : { providers: [new OfflineProvider()] }),
    ...options,
  });
}

export function qaService(
  db: pg.Pool,
  ai: AiService,
  options: Partial<Omit<QaServiceOptions, 'db' | 'ai'>> = {},
): QaService {
  return new QaService({ db, ai, catalog: sandboxCatalog(), thresholds: THRESHOLDS, ...options });
}

/** The writer with the offline AI, its own QA gate and the given approvals. */
export function postWriter(db: pg.Pool, approvals: Pick<Approvals, 'request'>): PostWriter {
  const ai = aiService(db);
  const catalog = sandboxCatalog();
  return new PostWriter({
    db,
    ai,
    qa: qaService(db, ai, { catalog }),
    catalog,
    approvals,
    maxAttempts: THRESHOLDS.maxAttempts,
  });
}
