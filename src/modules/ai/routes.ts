// AI and QA over the API: check a draft against the gate, see which providers answer, usage and cost.
import type { FastifyInstance } from 'fastify';
import type { AiParts } from './index.ts';
import { CHANNELS, type Channel } from './qa/channels.ts';
import type { VoiceProfile } from './qa/voice.ts';
import { actorOf } from '../../platform/accounts/roles.ts';

const voiceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tone', 'wordsToUse', 'wordsToAvoid', 'emojiPolicy', 'languages'],
  properties: {
    tone: { type: 'string', minLength: 1, maxLength: 500 },
    wordsToUse: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 60 } },
    wordsToAvoid: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 60 } },
    emojiPolicy: { type: 'string', enum: ['none', 'few', 'many'] },
    languages: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: '^[a-z]{2}$' } },
  },
} as const;

export function aiRoutes(app: FastifyInstance, { qa, ai, voice }: AiParts): void {
  app.get(
    '/api/v1/ai/voice',
    {
      config: { access: 'read' },
      schema: { tags: ['ai'], summary: 'The brand voice the writer and the QA gate use' },
    },
    async () => ({
      voice: await voice.get(),
    }),
  );

  app.put<{ Body: VoiceProfile }>(
    '/api/v1/ai/voice',
    {
      config: { access: 'admin' },
      schema: { tags: ['ai'], summary: 'Change the brand voice', body: voiceSchema },
    },
    async (request) => ({ voice: await voice.set(request.body, actorOf(request.principal).actorLabel) }),
  );

  app.post<{ Body: { channel: Channel; text: string; productIds?: string[]; attempt?: number } }>(
    '/api/v1/qa/check',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ai'],
        summary: 'Score a draft and route it: auto_approve, owner_approval or regenerate, with the breakdown',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['channel', 'text'],
          properties: {
            channel: { type: 'string', enum: Object.keys(CHANNELS) },
            text: { type: 'string', maxLength: 25_000 },
            productIds: {
              type: 'array',
              maxItems: 20,
              items: { type: 'string', minLength: 1, maxLength: 100 },
            },
            attempt: { type: 'integer', minimum: 1, maximum: 10 },
          },
        },
      },
    },
    async (request) => qa.check(request.body),
  );

  app.get(
    '/api/v1/ai/status',
    {
      config: { access: 'read' },
      schema: { tags: ['ai'], summary: 'AI providers in the order they are tried' },
    },
    async () => ({
      providers: ai.status(),
    }),
  );

  app.get(
    '/api/v1/ai/usage',
    {
      config: { access: 'read' },
      schema: {
        tags: ['ai'],
        summary: 'Calls, tokens and estimated cost per provider and feature, last 30 days',
      },
    },
    async () => ({
      usage: await ai.usage(),
    }),
  );
}
