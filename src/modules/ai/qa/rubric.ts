// The judgement half of the QA gate: a model scores the draft on five criteria and says why, as
// structured output. Without a model, a rule-based reviewer scores the same criteria, so the gate
// never stops (and its scores say where they came from).
import type { JsonSchema } from '../providers/types.ts';
import type { Finding } from './checks.ts';
import type { VoiceProfile } from './voice.ts';
import type { CatalogProduct } from '../../shop/index.ts';
import type { Channel } from './channels.ts';
import { EMOJI_LIMIT } from './voice.ts';
import { toDecimal } from '../../../platform/money.ts';
import { promptTemplate, renderPrompt } from '../prompts.ts';

export const CRITERIA = ['brand_voice', 'clarity', 'engagement', 'accuracy', 'call_to_action'] as const;
export type Criterion = (typeof CRITERIA)[number];

export interface CriterionScore {
  name: Criterion;
  score: number; // 0-10
  feedback: string;
}

export const RUBRIC_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['criteria'],
  properties: {
    criteria: {
      type: 'array',
      minItems: CRITERIA.length,
      maxItems: CRITERIA.length,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'score', 'feedback'],
        properties: {
          name: { type: 'string', enum: [...CRITERIA] },
          score: { type: 'integer', minimum: 0, maximum: 10 },
          feedback: { type: 'string', maxLength: 400 },
        },
      },
    },
  },
};

export interface RubricInput {
  channel: Channel;
  text: string;
  products: CatalogProduct[];
  voice: VoiceProfile;
  findings: Finding[];
}

export function rubricPrompt(input: RubricInput): { system: string; prompt: string; promptVersion: string } {
  const facts = input.products.map(
    (p) =>
      `- ${p.title}: ${toDecimal(p.priceMinor, p.currency)} ${p.currency}, ${p.available ? 'in stock' : 'OUT OF STOCK'}`,
  );
  return renderPrompt(promptTemplate('qa-rubric'), {
    channel: input.channel,
    tone: input.voice.tone,
    wordsToUse: input.voice.wordsToUse.join(', '),
    wordsToAvoid: input.voice.wordsToAvoid.join(', '),
    emoji: input.voice.emojiPolicy,
    facts: facts.length ? `Catalog facts:\n${facts.join('\n')}` : 'No product is referenced.',
    findings: input.findings.length
      ? `Automatic checks found:\n${input.findings.map((f) => `- ${f.message}`).join('\n')}`
      : 'Automatic checks found nothing.',
    draft: input.text,
  });
}

const CALL_TO_ACTION =
  /\b(shop|order|book|tap|link in bio|discover|try|grab|get yours|available now|visit|reply|message us|dm us)\b/i;

/** An email reply greets the customer, and says what happens next or what the answer is. */
const GREETING = /^(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|liebe|bonjour|hola|ciao)\b/im;
const NEXT_STEP =
  /\b(let me know|reply|get back to you|i['’]ll|we['’]ll|here is|will be|dispatched|on its way|in stock|out of stock|refund|tracking|postcode)\b/i;

/** The rule-based reviewer used when no model answers: the same criteria, scored from simple signals. */
export function offlineRubric(input: RubricInput): CriterionScore[] {
  const lower = input.text.toLowerCase();
  const avoided = input.voice.wordsToAvoid.filter((word) => lower.includes(word.toLowerCase())).length;
  const used = input.voice.wordsToUse.some((word) => lower.includes(word.toLowerCase()));
  const sentences = input.text.split(/[.!?]+\s/).filter((s) => s.trim());
  const wordsPerSentence = input.text.split(/\s+/).length / Math.max(1, sentences.length);
  const emojis = input.text.match(/\p{Extended_Pictographic}/gu)?.length ?? 0;
  const factual = input.findings.filter(
    (f) => f.hard && ['price', 'stock', 'catalog', 'claims'].includes(f.check),
  ).length;
  const clamp = (n: number) => Math.max(0, Math.min(10, Math.round(n)));
  return [
    {
      name: 'brand_voice',
      score: clamp(8 + (used ? 1 : 0) - 4 * avoided),
      feedback: avoided ? 'Uses words the brand voice avoids.' : 'Fits the brand voice.',
    },
    {
      name: 'clarity',
      score: clamp(wordsPerSentence <= 20 ? 9 : wordsPerSentence <= 30 ? 7 : 5),
      feedback: wordsPerSentence > 20 ? 'Shorter sentences read better on a phone.' : 'Easy to read.',
    },
    input.channel === 'email'
      ? {
          name: 'engagement',
          score: GREETING.test(input.text) ? 9 : 6,
          feedback: GREETING.test(input.text) ? 'Greets the customer warmly.' : 'Greet the customer by name.',
        }
      : {
          name: 'engagement',
          score: clamp(
            6 +
              (/[?!]/.test(input.text) ? 2 : 0) +
              (emojis > 0 && emojis <= EMOJI_LIMIT[input.voice.emojiPolicy] ? 1 : 0),
          ),
          feedback: /[?!]/.test(input.text)
            ? 'Invites a reaction.'
            : 'Ask a question or add energy to invite a reaction.',
        },
    {
      name: 'accuracy',
      score: clamp(10 - 4 * factual),
      feedback: factual ? 'Facts or claims need fixing (see the checks).' : 'Matches the catalog.',
    },
    input.channel === 'email'
      ? {
          name: 'call_to_action',
          score: NEXT_STEP.test(input.text) ? 9 : 5,
          feedback: NEXT_STEP.test(input.text)
            ? 'Says what happens next.'
            : 'Tell the customer what happens next.',
        }
      : {
          name: 'call_to_action',
          score: CALL_TO_ACTION.test(input.text) ? 9 : 4,
          feedback: CALL_TO_ACTION.test(input.text)
            ? 'Clear next step.'
            : 'Say what to do next (shop, book, link in bio).',
        },
  ];
}

/** 0-100 from the criteria, less the soft findings' penalties. */
export function finalScore(criteria: CriterionScore[], findings: Finding[]): number {
  const average = criteria.reduce((sum, c) => sum + c.score, 0) / Math.max(1, criteria.length);
  const penalties = findings.filter((f) => !f.hard).reduce((sum, f) => sum + f.penalty, 0);
  return Math.max(0, Math.min(100, Math.round(average * 10 - penalties)));
}
