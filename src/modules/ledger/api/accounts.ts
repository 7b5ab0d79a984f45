// The chart of accounts (under /api/v1/ledger/accounts): read by anyone signed in, grown and renamed
// by the owner. An account's code never changes: reports and exports use it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import type { LedgerParts } from '../index.ts';
import { AccountCode, tags } from './shared.ts';
import { Accounts, OneAccount } from './answers.ts';

const Name = Type.String({ minLength: 1, maxLength: 120 });

export function accountRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: { tags, summary: 'The chart of accounts', response: responses({ 200: Accounts }) },
    },
    async () => ({ accounts: await ledger.accounts() }),
  );

  api.post(
    '',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add an account to the chart (its type comes from the first word of its code)',
        body: Type.Object({ code: AccountCode(), name: Name }, { additionalProperties: false }),
        response: responses({ 201: OneAccount }),
      },
    },
    async (request, reply) => {
      const account = await ledger.addAccount(request.body.code, request.body.name);
      return reply.code(201).send({ account });
    },
  );

  api.put(
    '/:code',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rename an account (its code, which reports and exports use, stays)',
        params: Type.Object({ code: AccountCode() }),
        body: Type.Object({ name: Name }, { additionalProperties: false }),
        response: responses({ 200: OneAccount }),
      },
    },
    async (request) => ({ account: await ledger.renameAccount(request.params.code, request.body.name) }),
  );
}
