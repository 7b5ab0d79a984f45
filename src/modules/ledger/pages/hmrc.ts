// Making Tax Digital from the VAT page: Connect to HMRC (the owner grants shopkeep access on HMRC's
// site and comes back), and Send to HMRC (the period's return, with the browser's facts HMRC's fraud
// prevention headers need, which app.js fills into the form).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LedgerParts } from '../index.ts';
import { backWithNotice, formAction } from '../../../platform/dashboard/components.ts';
import { formBody, optionalField } from '../../../platform/dashboard/form-body.ts';
import { actorOf } from '../../../platform/accounts/roles.ts';
import { AppError } from '../../../platform/errors.ts';
import { IntegrationError } from '../../../platform/integrations/integration-error.ts';
import type { ClientFacts } from '../hmrc.ts';

const text = (maxLength: number) => Type.String({ maxLength });

const SubmitForm = formBody({
  from: text(10),
  to: text(10),
  jsUserAgent: optionalField(500),
  deviceId: optionalField(100),
  screens: optionalField(200),
  windowSize: optionalField(100),
  timezone: optionalField(20),
});

/** What the request and the browser say about the owner, for HMRC's fraud prevention headers. */
function factsOf(request: FastifyRequest, body: Record<string, string | undefined>): ClientFacts {
  const missing = ['jsUserAgent', 'deviceId', 'screens', 'windowSize', 'timezone'].filter(
    (name) => !body[name],
  );
  if (missing.length)
    throw new AppError(
      'invalid_request',
      'HMRC needs a few facts from your browser that it did not send (is JavaScript off?): reload the page and send again',
    );
  const forwarded = request.headers['x-forwarded-for'];
  return {
    jsUserAgent: body.jsUserAgent!,
    deviceId: body.deviceId!,
    screens: body.screens!,
    windowSize: body.windowSize!,
    timezone: body.timezone!,
    publicIp: request.ip,
    publicPort: request.socket.remotePort ?? 0,
    userId: actorOf(request.principal).actorLabel,
    forwardedFor: typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : null,
    serverIp: request.socket.localAddress ?? '127.0.0.1',
  };
}

export function hmrcPages(app: FastifyInstance, { ledger, hmrc, publicUrl }: LedgerParts): void {
  const pages = app.withTypeProvider<TypeBoxTypeProvider>();
  const callback = `${publicUrl ?? ''}/books/hmrc/callback`;
  const needHmrc = () => {
    if (!hmrc)
      throw new AppError(
        'invalid_request',
        'returns go to HMRC once HMRC_CLIENT_ID, HMRC_CLIENT_SECRET and HMRC_VRN are set (docs/books.md)',
      );
    return hmrc;
  };

  pages.get(
    '/hmrc/connect',
    { config: { access: 'admin' }, schema: { hide: true } },
    async (_request, reply) => reply.redirect(await needHmrc().authorizeUrl(callback), 303),
  );

  pages.get(
    '/hmrc/callback',
    {
      config: { access: 'admin' },
      schema: {
        hide: true,
        querystring: Type.Object({
          code: optionalField(200),
          state: optionalField(200),
          error: optionalField(200),
          error_description: optionalField(500),
        }),
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query;
      if (error || !code || !state)
        return backWithNotice(
          reply,
          '/books/vat',
          `HMRC did not grant access (${error ?? 'no code'}): try Connect again`,
          {
            problem: true,
          },
        );
      return formAction(
        reply,
        '/books/vat',
        async () => {
          await needHmrc().finish(code, state, callback);
          return 'Connected to HMRC: returns can be sent from this page.';
        },
        { shows: (error) => error instanceof AppError || error instanceof IntegrationError },
      );
    },
  );

  pages.post(
    '/vat-return/submit',
    { config: { access: 'admin' }, schema: { hide: true, body: SubmitForm } },
    async (request, reply) => {
      const { from, to } = request.body;
      return formAction(
        reply,
        `/books/vat?${new URLSearchParams({ from, to })}`,
        async () => {
          const filed = await ledger.vatReturns.submit(
            needHmrc(),
            from,
            to,
            factsOf(request, request.body),
            actorOf(request.principal).actorLabel,
          );
          return `HMRC has the return for ${filed.from} to ${filed.to} (receipt ${filed.filed?.receipt ?? '—'}); it is filed here too.`;
        },
        // What HMRC refused is said on the page, in HMRC's words (its secrets scrubbed).
        {
          shows: (error) => error instanceof AppError || error instanceof IntegrationError,
          failed: 'Not sent',
        },
      );
    },
  );
}
