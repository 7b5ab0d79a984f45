// Every model call, in ai_usage: which feature asked which provider and model, with which prompt
// version, the tokens, the estimated cost, the time it took and how it ended; and the last 30 days
// summed per provider and feature (the AI page, GET /api/v1/ai/usage).
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { aiUsage } from './schema.ts';
import { costMicros } from './prices.ts';
import type { ProviderName, Usage } from './providers/types.ts';

export interface UsageLine {
  provider: string;
  feature: string;
  calls: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  /** Millionths of a US dollar: an estimate from the providers' list prices. */
  costMicros: number;
}

export interface ModelCall {
  feature: string;
  /** 'social.caption@3', when the call was written from a prompt file. */
  promptVersion: string | undefined;
  provider: ProviderName;
  model: string;
  usage: Usage;
  ms: number;
  outcome: 'ok' | 'failed' | 'invalid-output';
}

export class UsageLog {
  private readonly db: Orm;

  constructor(pool: pg.Pool) {
    this.db = orm(pool);
  }

  async record(call: ModelCall): Promise<void> {
    await this.db.insert(aiUsage).values({
      feature: call.feature,
      prompt: call.promptVersion ?? null,
      provider: call.provider,
      model: call.model,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      costMicros: costMicros(call.model, call.usage.inputTokens, call.usage.outputTokens),
      latencyMs: Math.round(call.ms),
      outcome: call.outcome,
    });
  }

  /** Calls, tokens and estimated cost per provider and feature over the last 30 days. */
  async lastThirtyDays(): Promise<UsageLine[]> {
    return this.db
      .select({
        provider: aiUsage.provider,
        feature: aiUsage.feature,
        calls: sql<number>`count(*)::int`,
        failures: sql<number>`count(*) filter (where ${aiUsage.outcome} <> 'ok')::int`,
        inputTokens: sql<number>`coalesce(sum(${aiUsage.inputTokens}), 0)::int`,
        outputTokens: sql<number>`coalesce(sum(${aiUsage.outputTokens}), 0)::int`,
        costMicros: sql<number>`coalesce(sum(${aiUsage.costMicros}), 0)::float8`,
      })
      .from(aiUsage)
      .where(sql`${aiUsage.at} > now() - interval '30 days'`)
      .groupBy(aiUsage.provider, aiUsage.feature)
      .orderBy(aiUsage.provider, aiUsage.feature);
  }
}
