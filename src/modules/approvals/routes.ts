// Approvals over the API: the same decisions the dashboard and the Telegram bot take.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApprovalsParts } from './index.ts';
import { actorOf } from '../../platform/accounts/roles.ts';
import type { DecisionAction } from './approval-service.ts';
import type { ApprovalStatus } from './schema.ts';

const STATUSES = ['pending', 'approved', 'edited', 'rejected', 'expired'];

export function approvalRoutes(app: FastifyInstance, { approvals }: ApprovalsParts): void {
  const by = (request: FastifyRequest) => {
    const { actor, actorLabel } = actorOf(request.principal);
    return { actor, label: actorLabel, ip: request.ip };
  };

  app.get<{ Querystring: { status?: ApprovalStatus } }>(
    '/api/v1/approvals',
    {
      config: { access: 'read' },
      schema: {
        tags: ['approvals'],
        summary: 'Approval requests, oldest pending first (filter by status)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: STATUSES } },
        },
      },
    },
    async (request) => ({ approvals: await approvals.list(request.query.status) }),
  );

  app.post<{ Params: { id: string }; Body: { action: DecisionAction; text?: string; reason?: string } }>(
    '/api/v1/approvals/:id/decision',
    {
      config: { access: 'write' },
      schema: {
        tags: ['approvals'],
        summary:
          'Approve, edit (with the new text), reject or regenerate (with a reason); 409 if already decided or expired',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: {
            action: { type: 'string', enum: ['approve', 'edit', 'reject', 'regenerate'] },
            text: { type: 'string', minLength: 1, maxLength: 25_000 },
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
          },
        },
      },
    },
    async (request) => ({ approval: await approvals.decide(request.params.id, request.body, by(request)) }),
  );

  app.get(
    '/api/v1/pause',
    {
      config: { access: 'read' },
      schema: { tags: ['approvals'], summary: 'Whether publishing and sending are paused' },
    },
    async () => approvals.paused(),
  );

  for (const [path, paused] of [
    ['/api/v1/pause', true],
    ['/api/v1/resume', false],
  ] as const) {
    app.post(
      path,
      {
        config: { access: 'write' },
        schema: {
          tags: ['approvals'],
          summary: paused ? 'Stop all publishing and sending' : 'Resume publishing and sending',
          // No body, or an empty object: anything else is a mistake worth telling the caller about.
          body: { type: 'object', additionalProperties: false, maxProperties: 0 },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        await approvals.setPaused(paused, by(request));
        return reply.code(204).send();
      },
    );
  }
}
