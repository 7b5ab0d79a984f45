// A dashboard form posts, then sends the browser back with a notice: what was done, or what the
// owner can act on; anything else stays an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { formAction, type FormActionOptions } from '../../src/platform/dashboard/components.ts';
import { AppError, conflict, invalid } from '../../src/platform/errors.ts';

/** Posts to a form route whose work is `work`; answers with where the browser is sent. */
async function post(
  back: string,
  work: () => Promise<string | undefined>,
  options?: FormActionOptions,
): Promise<{ status: number; location: string | undefined; thrown: unknown }> {
  const app = Fastify();
  let thrown: unknown;
  app.setErrorHandler((error, _request, reply) => {
    thrown = error;
    return reply.code(500).send();
  });
  app.post('/form', (_request, reply) => formAction(reply, back, work, options));
  const response = await app.inject({ method: 'POST', url: '/form' });
  await app.close();
  return { status: response.statusCode, location: response.headers.location as string | undefined, thrown };
}

const notice = (location: string | undefined) =>
  new URL(location!, 'http://shop.local').searchParams.get('notice');
const problem = (location: string | undefined) =>
  new URL(location!, 'http://shop.local').searchParams.get('problem');

test('done: back to the page with what was done (303, so a reload does not post again)', async () => {
  const { status, location } = await post('/books', async () => 'Booked: Hair & Co, 12.50 & more?');
  assert.equal(status, 303);
  assert.equal(location, `/books?notice=${encodeURIComponent('Booked: Hair & Co, 12.50 & more?')}`);
  assert.equal((await post('/approvals', async () => undefined)).location, '/approvals', 'no notice');
  assert.equal(
    notice((await post('/orders?q=%231001', async () => 'Done.')).location),
    'Done.',
    'a page address with a query keeps it',
  );
});

test('refused: back to the page with the message, after what failed, cut short for the address', async () => {
  const refused = await post('/books', () => Promise.reject(invalid('the amount is not a number')), {
    failed: 'Not booked',
  });
  assert.equal(refused.status, 303);
  assert.equal(
    problem(refused.location),
    'Not booked: the amount is not a number',
    'a problem, shown as one',
  );
  assert.equal(notice(refused.location), null);
  const long = await post('/books', () => Promise.reject(invalid('x'.repeat(1000))));
  assert.equal(problem(long.location), 'x'.repeat(280));
});

test('refused: what was typed goes back with the problem, to correct rather than type again', async () => {
  const refused = await post('/books/expenses', () => Promise.reject(invalid('the amount is not a number')), {
    failed: 'Not booked',
    typed: { supplier: 'Hair & Co', amount: '12,50', tax: undefined },
  });
  const back = new URL(refused.location!, 'http://shop.local').searchParams;
  assert.equal(back.get('supplier'), 'Hair & Co');
  assert.equal(back.get('amount'), '12,50');
  assert.equal(back.has('tax'), false, 'nothing for a field left empty');
  const done = await post('/books/expenses', async () => 'Booked.', { typed: { supplier: 'Hair & Co' } });
  assert.equal(
    new URL(done.location!, 'http://shop.local').searchParams.has('supplier'),
    false,
    'only with a problem',
  );
});

test('any other error goes to the error handler as it is, its message in no address', async () => {
  const failure = new Error('connect ECONNREFUSED 10.0.0.5:5432');
  const { location, thrown } = await post('/books', () => Promise.reject(failure));
  assert.equal(thrown, failure);
  assert.equal(location, undefined);
});

test('a page may show only some errors; the rest are thrown as they are', async () => {
  const conflictsOnly: FormActionOptions = {
    failed: 'Not changed',
    shows: (error) => error instanceof AppError && error.kind === 'conflict',
  };
  const shown = await post(
    '/approvals',
    () => Promise.reject(conflict('already approved by Ann')),
    conflictsOnly,
  );
  assert.equal(problem(shown.location), 'Not changed: already approved by Ann');
  const refusal = invalid('choose a channel');
  const other = await post('/approvals', () => Promise.reject(refusal), conflictsOnly);
  assert.equal(other.thrown, refusal, 'the error handler answers it as on any other route');
  assert.equal(other.location, undefined);
});
