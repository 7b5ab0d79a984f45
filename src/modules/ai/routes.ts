// AI and QA over the API: check a draft against the gate, see which providers answer, usage and cost,
// and the brand voice.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses, ShopifyId } from '../../platform/http/schemas.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import type { AiParts } from './index.ts';
import { CHANNELS } from './qa/channels.ts';
import { CRITERIA } from './qa/rubric.ts';

const Channel = Type.Enum(Object.keys(CHANNELS) as (keyof typeof CHANNELS)[]);
const EmojiPolicy = Type.Enum(['none', 'few', 'many'], { description: 'how many emoji a post may have' });

const Voice = Type.Object(
  {
    tone: Type.String({ description: 'how posts and replies should sound, in a few words' }),
    wordsToUse: Type.Array(Type.String()),
    wordsToAvoid: Type.Array(Type.String()),
    emojiPolicy: EmojiPolicy,
    languages: Type.Array(Type.String(), { description: 'two-letter codes the shop writes in: en, de, …' }),
  },
  { description: 'the brand voice the writer and the QA gate hold drafts to' },
);

const VoiceChange = Type.Object(
  {
    tone: Type.String({ minLength: 1, maxLength: 500 }),
    wordsToUse: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 50 }),
    wordsToAvoid: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 50 }),
    emojiPolicy: EmojiPolicy,
    languages: Type.Array(Type.String({ pattern: '^[a-z]{2}$' }), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);

const Finding = {
  check: Type.String({ description: 'which check: price, stock, claims, duplicate, …' }),
  message: Type.String(),
};

const QaResult = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'the stored review' }),
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    decision: Type.Enum(['auto_approve', 'owner_approval', 'regenerate']),
    lowConfidence: Type.Boolean({
      description: 'the gate would have it written again, but this was the last attempt: the owner decides',
    }),
    hardFails: Type.Array(Type.Object(Finding), { description: 'what must be fixed, whatever the score' }),
    findings: Type.Array(
      Type.Object({ ...Finding, penalty: Type.Integer({ description: 'points taken off the score' }) }),
      { description: 'what costs points' },
    ),
    criteria: Type.Array(
      Type.Object({
        name: Type.Enum([...CRITERIA]),
        score: Type.Integer({ minimum: 0, maximum: 10 }),
        feedback: Type.String(),
      }),
      { description: 'the rubric, one score per criterion' },
    ),
    reviewer: Type.Object({
      provider: Type.String({ description: 'who scored the rubric: gemini, openai, anthropic or offline' }),
      model: Type.String(),
      fellBack: Type.Boolean({ description: 'a provider other than the configured one answered' }),
    }),
  },
  { description: 'the score, the decision and why' },
);

const Provider = Type.Object({
  name: Type.Enum(['gemini', 'openai', 'anthropic', 'offline']),
  model: Type.String(),
  available: Type.Boolean({ description: 'false while it rests after repeated failures' }),
});

const UsageLine = Type.Object({
  provider: Type.String(),
  feature: Type.String({ description: 'what the calls were for: social.caption, qa.rubric, …' }),
  calls: Type.Integer(),
  failures: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  costMicros: Type.Number({
    description: 'estimated cost in millionths of a US dollar, from the providers’ list prices',
  }),
});

/** Under /api/v1/ai. */
export function aiRoutes(app: FastifyInstance, { ai, voice }: AiParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/voice',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ai'],
        summary: 'The brand voice the writer and the QA gate use',
        response: responses({ 200: Type.Object({ voice: Voice }, { description: 'the brand voice' }) }),
      },
    },
    async () => ({ voice: await voice.get() }),
  );

  api.put(
    '/voice',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['ai'],
        summary: 'Change the brand voice',
        body: VoiceChange,
        response: responses({ 200: Type.Object({ voice: Voice }, { description: 'the brand voice' }) }),
      },
    },
    async (request) => ({ voice: await voice.set(request.body, actorOf(request.principal).actorLabel) }),
  );

  api.get(
    '/status',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ai'],
        summary: 'AI providers in the order they are tried',
        response: responses({
          200: Type.Object({ providers: Type.Array(Provider) }, { description: 'first asked first' }),
        }),
      },
    },
    async () => ({ providers: ai.status() }),
  );

  api.get(
    '/usage',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ai'],
        summary: 'Calls, tokens and estimated cost per provider and feature, last 30 days',
        response: responses({
          200: Type.Object(
            { usage: Type.Array(UsageLine) },
            { description: 'one line per provider and feature' },
          ),
        }),
      },
    },
    async () => ({ usage: await ai.usage() }),
  );
}

/** Under /api/v1/qa. */
export function qaRoutes(app: FastifyInstance, { qa }: AiParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/check',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ai'],
        summary: 'Score a draft and route it: auto_approve, owner_approval or regenerate, with the breakdown',
        body: Type.Object(
          {
            channel: Channel,
            text: Type.String({ maxLength: 25_000 }),
            productIds: Type.Optional(
              Type.Array(ShopifyId(), {
                maxItems: 20,
                description:
                  'the Shopify products it is about (ids as GET /api/v1/shop/products gives them): prices and stock are checked against the catalog',
              }),
            ),
            attempt: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 10,
                description: 'which attempt this is; the last goes to the owner rather than back',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: QaResult }),
      },
    },
    async (request) => qa.check({ ...request.body, productIds: request.body.productIds?.map(String) }),
  );
}
