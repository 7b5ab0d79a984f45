// The AI page: which providers answer and in what order, usage and estimated cost per feature over
// the last 30 days, the QA thresholds and the brand voice the reviewer holds drafts to.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AiParts } from './index.ts';
import { html } from '../../platform/dashboard/html.ts';
import { csrfField, page } from '../../platform/dashboard/layout.ts';
import { sendPage, table } from '../../platform/dashboard/components.ts';
import { actorOf } from '../../platform/accounts/roles.ts';

const Field = Type.String({ maxLength: 4000 });
const VoiceForm = Type.Object(
  {
    tone: Type.Optional(Field),
    wordsToUse: Type.Optional(Field),
    wordsToAvoid: Type.Optional(Field),
    emojiPolicy: Type.Optional(Field),
    languages: Type.Optional(Field),
  },
  { additionalProperties: Field },
);

/** Under /ai. */
export function aiPages(app: FastifyInstance, { ai, voice: voiceStore, settings }: AiParts): void {
  const { qa } = settings;
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  pages.get('', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) => {
    const voice = await voiceStore.get();
    const canEdit = request.principal?.scopes.has('admin') ?? false;
    const usage = await ai.usage();
    const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(4)}`;
    return sendPage(
      reply,
      page(
        { title: 'AI', principal: request.principal, current: '/ai' },
        html`<p><a href="/ai/history">Content history</a>: every draft the QA gate reviewed, and what became of it.</p>
          <section>
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
                row.inputTokens + row.outputTokens,
                dollars(Number(row.costMicros)),
              ]),
              'No AI calls yet.',
            )}
          </section>
          <section>
            <h2>Quality gate</h2>
            <p>Above <strong>${qa.autoApproveAbove}</strong> a draft goes out by itself; from <strong>${qa.regenerateBelow}</strong> up you decide; below it is written again, at most ${qa.maxAttempts} times.</p>
            ${
              Object.keys(qa.channels).length
                ? html`<p>
                    Channels with their own:
                    ${Object.entries(qa.channels).map(
                      ([channel, own]) =>
                        html`<span class="pill">${channel}: above ${String(own.autoApproveAbove)}, from ${String(own.regenerateBelow)}</span> `,
                    )}
                  </p>`
                : ''
            }
            <h3>Brand voice</h3>
            ${
              canEdit
                ? html`<form method="post" action="/ai/voice" class="stack">
                  ${csrfField(request.principal)}
                  <label>Tone <textarea name="tone" rows="3" required maxlength="500">${voice.tone}</textarea></label>
                  <label>Words to use (comma-separated) <input name="wordsToUse" value="${voice.wordsToUse.join(', ')}" /></label>
                  <label>Words to avoid (comma-separated) <input name="wordsToAvoid" value="${voice.wordsToAvoid.join(', ')}" /></label>
                  <label>Emoji
                    <select name="emojiPolicy">${(['none', 'few', 'many'] as const).map((p) => html`<option${p === voice.emojiPolicy ? html` selected` : ''}>${p}</option>`)}</select>
                  </label>
                  <label>Languages (two-letter codes) <input name="languages" value="${voice.languages.join(', ')}" required /></label>
                  <button>Save the voice</button>
                </form>`
                : html`<p>${voice.tone}</p>
                  <p class="muted">Words to use: ${voice.wordsToUse.join(', ')} · to avoid: ${voice.wordsToAvoid.join(', ')} · emoji: ${voice.emojiPolicy} · languages: ${voice.languages.join(', ')}</p>`
            }
          </section>`,
      ),
    );
  });

  pages.post(
    '/voice',
    { config: { access: 'admin' }, schema: { hide: true, body: VoiceForm } },
    async (request, reply) => {
      const list = (value: string | undefined) =>
        (value ?? '')
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      const policy = request.body.emojiPolicy;
      await voiceStore.set(
        {
          tone: request.body.tone ?? '',
          wordsToUse: list(request.body.wordsToUse),
          wordsToAvoid: list(request.body.wordsToAvoid),
          emojiPolicy: policy === 'none' || policy === 'many' ? policy : 'few',
          languages: list(request.body.languages),
        },
        actorOf(request.principal).actorLabel,
      );
      return reply.redirect('/ai', 303);
    },
  );
}
