// The AI page: which providers answer and in what order, usage and estimated cost per feature over
// the last 30 days, the QA thresholds and the brand voice the reviewer holds drafts to.
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../platform/services.ts';
import { orm } from '../../platform/db/orm.ts';
import { html, type Html } from '../../platform/dashboard/html.ts';
import { page } from '../../platform/dashboard/layout.ts';
import { table } from '../../platform/dashboard/components.ts';
import { aiUsage } from './schema.ts';
import { DEFAULT_VOICE } from './qa/voice.ts';

export function aiPages(app: FastifyInstance, { ai, pool, config }: Services): void {
  const send = (reply: FastifyReply, body: Html) => reply.type('text/html; charset=utf-8').send(body.value);

  app.get('/ai', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const usage = await orm(pool)
      .select({
        provider: aiUsage.provider,
        feature: aiUsage.feature,
        calls: sql<number>`count(*)::int`,
        failures: sql<number>`count(*) filter (where ${aiUsage.outcome} <> 'ok')::int`,
        tokens: sql<number>`coalesce(sum(${aiUsage.inputTokens} + ${aiUsage.outputTokens}), 0)::int`,
        costMicros: sql<number>`coalesce(sum(${aiUsage.costMicros}), 0)::int`,
      })
      .from(aiUsage)
      .where(sql`${aiUsage.at} > now() - interval '30 days'`)
      .groupBy(aiUsage.provider, aiUsage.feature)
      .orderBy(aiUsage.provider, aiUsage.feature);
    const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(4)}`;
    return send(
      reply,
      page(
        { title: 'AI', principal: request.principal, current: '/ai' },
        html`<section>
            <h2>Providers, in the order they are asked</h2>
            ${table(
              ['#', 'Provider', 'Model', 'Now'],
              ai
                .status()
                .map((p, i) => [
                  i + 1,
                  p.name,
                  p.model,
                  p.available
                    ? html`<span class="ok">ready</span>`
                    : html`<span class="bad">resting after failures</span>`,
                ]),
              'None.',
            )}
            <p class="muted">Set <code>SHOPKEEP_AI_PROVIDER</code> and the provider's key (see docs/ai.md). The offline provider always comes last: templates and rules, no network.</p>
          </section>
          <section>
            <h2>Usage, last 30 days</h2>
            ${table(
              ['Provider', 'Feature', 'Calls', 'Failed', 'Tokens', 'Estimated cost'],
              usage.map((row) => [
                row.provider,
                row.feature,
                row.calls,
                row.failures,
                row.tokens,
                dollars(Number(row.costMicros)),
              ]),
              'No AI calls yet.',
            )}
          </section>
          <section>
            <h2>Quality gate</h2>
            <p>Above <strong>${config.qa.autoApproveAbove}</strong> a draft goes out by itself; from <strong>${config.qa.regenerateBelow}</strong> up you decide; below it is written again, at most ${config.qa.maxAttempts} times.</p>
            <h3>Brand voice</h3>
            <p>${DEFAULT_VOICE.tone}</p>
            <p class="muted">Words to use: ${DEFAULT_VOICE.wordsToUse.join(', ')} · to avoid: ${DEFAULT_VOICE.wordsToAvoid.join(', ')} · emoji: ${DEFAULT_VOICE.emojiPolicy} · languages: ${DEFAULT_VOICE.languages.join(', ')}</p>
          </section>`,
      ),
    );
  });
}
