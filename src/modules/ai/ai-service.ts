// The one way modules ask a language model for something. The configured provider goes first, then
// any other configured provider, then the offline one. Each call has a timeout and retries with
// backoff; a provider that keeps failing is skipped for a while (circuit breaker). Structured output
// is validated against its schema, with one repair attempt. Every call is recorded for usage and cost.
import { describeError } from '../../platform/errors.ts';
import { Ajv, type ValidateFunction } from 'ajv';
import client from 'prom-client';
import type pg from 'pg';
import type { AiConfig } from './settings.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { Metrics } from '../../platform/http/metrics.ts';
import { UsageLog, type UsageLine } from './usage-log.ts';
import { costMicros } from './prices.ts';
import { CircuitBreaker } from '../../platform/integrations/circuit-breaker.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { retrying, type RetryPolicy } from '../../platform/integrations/retry.ts';
import { GeminiProvider } from './providers/gemini.ts';
import { OpenAiProvider } from './providers/openai.ts';
import { AnthropicProvider } from './providers/anthropic.ts';
import { OfflineProvider } from './providers/offline.ts';
import type { AiProvider, ProviderName, TextRequest, Usage } from './providers/types.ts';
import type { LanguageModels } from './face.ts';

export interface Generated<T> {
  text: string;
  /** The parsed, schema-checked value when the request had a schema. */
  value: T;
  provider: ProviderName;
  model: string;
  /** True when a provider other than the configured one answered (the owner is told). */
  fellBack: boolean;
  /** Why earlier providers were passed over, in order. */
  problems: string[];
}

export class AiUnavailableError extends Error {
  override name = 'AiUnavailableError';
}

const ajv = new Ajv({ allErrors: false, strict: false });

/** Attempts per provider for one answer; a provider's own delay (Retry-After) wins up to the cap. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 };

export interface AiServiceOptions {
  db: pg.Pool;
  settings: AiConfig;
  logger: Logger;
  metrics: Metrics;
  /** The providers to ask, in order; by default those the settings configure, the offline one last. */
  providers?: AiProvider[];
  retry?: RetryPolicy;
  /** Where the owner is told that a fallback wrote instead of the configured provider. */
  notifications?: Faces['notifications'];
}

export class AiService implements LanguageModels {
  private readonly chain: AiProvider[];
  private readonly breakers = new Map<ProviderName, CircuitBreaker>();
  private readonly usageLog: UsageLog;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private readonly notifications: Faces['notifications'] | undefined;
  private readonly calls: client.Counter<'provider' | 'feature' | 'outcome'>;
  private readonly latency: client.Histogram<'provider'>;
  private readonly cost: client.Counter<'provider' | 'feature'>;

  constructor({ db, settings, logger, metrics, providers, retry, notifications }: AiServiceOptions) {
    this.usageLog = new UsageLog(db);
    this.logger = logger;
    this.retry = retry ?? DEFAULT_RETRY;
    this.notifications = notifications;
    this.chain = providers ?? providerChain(settings);
    for (const provider of this.chain) this.breakers.set(provider.name, new CircuitBreaker());
    this.calls = new client.Counter({
      name: 'shopkeep_ai_calls_total',
      help: 'Language model calls by provider, feature and outcome',
      labelNames: ['provider', 'feature', 'outcome'],
      registers: [metrics.registry],
    });
    this.latency = new client.Histogram({
      name: 'shopkeep_ai_call_duration_seconds',
      help: 'Language model call latency',
      labelNames: ['provider'],
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 40],
      registers: [metrics.registry],
    });
    this.cost = new client.Counter({
      name: 'shopkeep_ai_cost_dollars_total',
      help: "Language model cost in US dollars, estimated from the providers' list prices",
      labelNames: ['provider', 'feature'],
      registers: [metrics.registry],
    });
  }

  /** Speech to text through the OpenAI-compatible (Whisper) endpoint, the one provider that has it. */
  async transcribe(audio: Buffer, mimeType: string, fileName: string): Promise<string> {
    const provider = this.chain.find((p): p is OpenAiProvider => p instanceof OpenAiProvider);
    if (!provider)
      throw new AiUnavailableError(
        'speech to text needs an OpenAI-compatible endpoint (OPENAI_BASE_URL or OPENAI_API_KEY)',
      );
    return retrying(() => provider.transcribe(audio, mimeType, fileName), { policy: this.retry });
  }

  /** Calls, tokens and estimated cost per provider and feature over the last 30 days. */
  usage(): Promise<UsageLine[]> {
    return this.usageLog.lastThirtyDays();
  }

  /** The providers in the order they are tried, and whether each is usable right now. */
  status(): { name: ProviderName; model: string; available: boolean }[] {
    return this.chain.map((provider) => ({
      name: provider.name,
      model: provider.model,
      available: this.breakers.get(provider.name)!.available,
    }));
  }

  async generate<T = string>(request: TextRequest): Promise<Generated<T>> {
    const problems: string[] = [];
    const validate = request.schema ? ajv.compile(request.schema) : undefined;
    for (const provider of this.chain) {
      const breaker = this.breakers.get(provider.name)!;
      if (!breaker.enter()) {
        problems.push(`${provider.name}: skipped after repeated failures`);
        continue;
      }
      try {
        const result = await this.ask(provider, request, validate);
        breaker.succeeded();
        const fellBack = provider !== this.chain[0];
        if (fellBack) {
          this.logger.warn(
            { feature: request.feature, provider: provider.name, problems },
            'AI answered by a fallback provider',
          );
          await this.tellOwner(provider.name, request.feature, problems);
        }
        return { ...result, provider: provider.name, fellBack, problems } as Generated<T>;
      } catch (error) {
        if (provider.name !== 'offline') breaker.failed();
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    throw new AiUnavailableError(`no AI provider could answer ${request.feature}: ${problems.join('; ')}`);
  }

  /** Once a day per fallback provider: the owner hears that the configured one is not answering, and why. */
  private async tellOwner(fallback: ProviderName, feature: string, problems: string[]): Promise<void> {
    const configured = this.chain[0]!.name;
    const offline = fallback === 'offline';
    await this.notifications
      ?.send({
        kind: 'ai.fallback',
        severity: 'warning',
        title: offline ? `${configured} is not answering: writing offline` : `${configured} is not answering`,
        body: `${configured} failed (${problems.join('; ').slice(0, 500)}), so ${fallback} wrote ${feature} instead.${
          offline
            ? ' Offline drafts come from templates and the catalog: plainer, and the quality gate still checks every one.'
            : ''
        } shopkeep keeps trying ${configured}; the AI page shows when it answers again.`,
        dedupeKey: `ai.fallback:${fallback}:${new Date().toISOString().slice(0, 10)}`,
      })
      .catch((error: Error) =>
        this.logger.warn({ err: describeError(error) }, 'could not tell the owner about the AI fallback'),
      );
  }

  /** One provider: retries for transient failures, then one repair attempt for output that breaks the schema. */
  private async ask(
    provider: AiProvider,
    request: TextRequest,
    validate: ValidateFunction | undefined,
  ): Promise<{ text: string; value: unknown; model: string }> {
    const first = await this.call(provider, request);
    if (!validate) return { text: first.text, value: first.text, model: first.model };
    const checked = check(first.text, validate);
    if (checked.ok) return { text: first.text, value: checked.value, model: first.model };
    await this.record(provider, request, first.model, first.usage, 0, 'invalid-output');
    const repaired = await this.call(provider, {
      ...request,
      prompt: `${request.prompt}\n\nYour previous answer was not valid: ${checked.problem}. It was:\n${first.text.slice(0, 2000)}\n\nAnswer again with one JSON object that matches the schema exactly.`,
    });
    const second = check(repaired.text, validate);
    if (second.ok) return { text: repaired.text, value: second.value, model: repaired.model };
    await this.record(provider, request, repaired.model, repaired.usage, 0, 'invalid-output');
    throw new IntegrationError(
      provider.name,
      'rejected',
      `${provider.name}: the answer did not match the expected structure twice (${second.problem})`,
    );
  }

  private async call(
    provider: AiProvider,
    request: TextRequest,
  ): Promise<{ text: string; model: string; usage: Usage }> {
    return retrying(
      async () => {
        const started = performance.now();
        try {
          const result = await provider.generate(request);
          const ms = performance.now() - started;
          this.latency.observe({ provider: provider.name }, ms / 1000);
          const { inputTokens, outputTokens } = result.usage;
          this.cost.inc(
            { provider: provider.name, feature: request.feature },
            costMicros(result.model, inputTokens, outputTokens) / 1_000_000,
          );
          await this.record(provider, request, result.model, result.usage, ms, 'ok');
          return result;
        } catch (error) {
          await this.record(
            provider,
            request,
            provider.model,
            { inputTokens: 0, outputTokens: 0 },
            performance.now() - started,
            'failed',
          );
          throw error;
        }
      },
      { policy: provider.name === 'offline' ? { ...this.retry, attempts: 1 } : this.retry },
    );
  }

  private async record(
    provider: AiProvider,
    request: TextRequest,
    model: string,
    usage: Usage,
    ms: number,
    outcome: 'ok' | 'failed' | 'invalid-output',
  ): Promise<void> {
    const { feature } = request;
    this.calls.inc({ provider: provider.name, feature, outcome });
    await this.usageLog
      .record({
        feature,
        promptVersion: request.promptVersion,
        provider: provider.name,
        model,
        usage,
        ms,
        outcome,
      })
      .catch((error: Error) => this.logger.warn({ err: describeError(error) }, 'could not record AI usage'));
  }
}

/** The configured provider first, then the others that have credentials, then offline. */
export function providerChain(config: AiConfig): AiProvider[] {
  const available: Partial<Record<ProviderName, AiProvider>> = {};
  const { timeoutMs } = config;
  if (config.gemini.apiKey)
    available.gemini = new GeminiProvider({ ...config.gemini, apiKey: config.gemini.apiKey, timeoutMs });
  if (config.openai.configured) available.openai = new OpenAiProvider({ ...config.openai, timeoutMs });
  if (config.anthropic.apiKey)
    available.anthropic = new AnthropicProvider({
      ...config.anthropic,
      apiKey: config.anthropic.apiKey,
      timeoutMs,
    });
  const order: ProviderName[] = [
    config.provider,
    ...(['gemini', 'openai', 'anthropic'] as const).filter((name) => name !== config.provider),
  ];
  const chain = order
    .map((name) => available[name])
    .filter((provider): provider is AiProvider => provider !== undefined);
  return [...chain, new OfflineProvider()];
}

function check(
  text: string,
  validate: ValidateFunction,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(stripFences(text));
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  if (validate(value)) return { ok: true, value };
  const error = validate.errors?.[0];
  return { ok: false, problem: `${error?.instancePath || 'the object'} ${error?.message ?? 'is invalid'}` };
}

/** Models sometimes wrap JSON in a ```json fence even when asked not to. */
function stripFences(text: string): string {
  const match = text.trim().match(/^```(?:json)?\s*([\s\S]*?)\s*```$/);
  return match ? match[1]! : text;
}
