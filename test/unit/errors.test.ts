// A failed query's parameters (password hashes, CSRF tokens, what a stranger typed) never reach a log,
// a dead letter or the owner: only the driver's message and the SQL do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describeError, loggableError } from '../../src/platform/errors.ts';

const failed = () => {
  const cause = Object.assign(
    new Error('duplicate key value violates unique constraint "auth_sessions_pkey"'),
    {
      code: '23505',
    },
  );
  return new DrizzleQueryError(
    'insert into auth_sessions values ($1, $2)',
    ['ab12hash', 'the-csrf-token-secret'],
    cause,
  );
};

test('a failed query is described by the driver’s message, without its parameters', () => {
  const text = describeError(failed());
  assert.equal(text, 'database: duplicate key value violates unique constraint "auth_sessions_pkey"');
  assert.doesNotMatch(text, /csrf-token-secret|ab12hash/);
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError('a string'), 'a string');
});

test('a failed query is logged with its SQL and code, never its parameters', () => {
  const logged = JSON.stringify(loggableError(failed()));
  assert.match(logged, /insert into auth_sessions/);
  assert.match(logged, /23505/);
  assert.doesNotMatch(logged, /csrf-token-secret|ab12hash/);
  const other = new Error('not a query');
  assert.equal(loggableError(other), other);
});
