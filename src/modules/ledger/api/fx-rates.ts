// Exchange rates (under /api/v1/ledger/fx-rates) for payouts paid to a bank account in another
// currency: the rate from the bank statement; payouts waiting for it are booked when it is set.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import type { LedgerParts } from '../index.ts';
import { Day, tags } from './shared.ts';
import { FxRateSet, FxRates } from './answers.ts';

export function fxRateRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Exchange rates entered for payouts in other currencies (latest 200)',
        response: responses({ 200: FxRates }),
      },
    },
    async () => ({ rates: await ledger.fxRates() }),
  );

  api.put(
    '/:currency/:day',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Set the rate of a currency on a day (units of the shop currency per unit, from the bank statement); payouts waiting for it are booked',
        params: Type.Object({ currency: Type.String({ pattern: '^[A-Z]{3}$' }), day: Day('YYYY-MM-DD') }),
        body: Type.Object(
          {
            rate: Type.String({ pattern: '^[0-9]{1,9}(\\.[0-9]{1,10})?$', description: 'e.g. 0.8571' }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: FxRateSet }),
      },
    },
    async (request) => ledger.setFxRate(request.params.currency, request.params.day, request.body.rate),
  );
}
