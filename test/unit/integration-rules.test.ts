// The rules of the integrations kit that need no network: backoff and Retry-After, the retry loop,
// the circuit breaker's states, and what secret scrubbing removes (and leaves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../src/platform/integrations/circuit-breaker.ts';
import { IntegrationError } from '../../src/platform/integrations/integration-error.ts';
import { parseRetryAfter, retryDelay, retrying } from '../../src/platform/integrations/retry.ts';
import { Scrubber } from '../../src/platform/integrations/secrets.ts';

const policy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 1000 };

test('backoff doubles from the base, spread ±25%, never past the cap; a service delay wins up to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((failures) => retryDelay(policy, failures, undefined, () => 0.5)),
    [200, 400, 800, 1000],
  );
  assert.equal(
    retryDelay(policy, 1, undefined, () => 0),
    150,
  );
  assert.equal(
    retryDelay(policy, 2, undefined, () => 0.999),
    500,
  );
  assert.equal(retryDelay(policy, 1, 700), 700, 'exactly what the service asked');
  assert.equal(retryDelay(policy, 1, 0), 0);
  assert.equal(retryDelay(policy, 1, 90_000), 1000);
});

test('Retry-After: seconds, or an HTTP date from now; anything else is ignored', () => {
  const now = Date.parse('2030-03-01T10:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('1.5', now), 1500);
  assert.equal(parseRetryAfter('Fri, 01 Mar 2030 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Fri, 01 Mar 2030 09:00:00 GMT', now), 0, 'a date already past: at once');
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('-5', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('retrying: what may pass is tried again; a final failure or any other error is thrown at once', async () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  let calls = 0;
  const answer = await retrying(
    async () => {
      calls += 1;
      if (calls < 3)
        throw new IntegrationError('x', 'unavailable', 'down', {
          retryAfterMs: calls === 2 ? 50 : undefined,
        });
      return 'ok';
    },
    { policy, sleep, random: () => 0.5 },
  );
  assert.equal(answer, 'ok');
  assert.deepEqual(waits, [200, 50]);

  for (const error of [
    new IntegrationError('x', 'auth', 'bad key'),
    new IntegrationError('x', 'rejected', 'bad request'),
    new IntegrationError('x', 'unavailable', 'a POST timed out', { retryable: false }),
    new TypeError('a bug'),
  ]) {
    calls = 0;
    await assert.rejects(
      retrying(
        async () => {
          calls += 1;
          throw error;
        },
        { policy, sleep },
      ),
      (thrown) => thrown === error,
    );
    assert.equal(calls, 1, `${error.message} was not retried`);
  }

  calls = 0;
  await assert.rejects(
    retrying(
      async () => {
        calls += 1;
        throw new IntegrationError('x', 'rate_limited', 'busy');
      },
      { policy, sleep },
    ),
    (error: unknown) => error instanceof IntegrationError && error.attempts === 4,
  );
  assert.equal(calls, 4, 'the attempts ran out, and the error says how many there were');
});

test('the breaker: closed, open after the threshold, half-open for one trial, closed or open again by it', () => {
  let now = 0;
  const breaker = new CircuitBreaker(2, 1000, () => now);
  assert.equal(breaker.state, 'closed');
  breaker.failed();
  breaker.succeeded(); // a success ends the run of failures
  breaker.failed();
  assert.equal(breaker.state, 'closed');
  breaker.failed();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.enter(), false);
  assert.equal(breaker.available, false);
  assert.equal(breaker.retryAt, 1000);

  now = 1000;
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.available, true);
  assert.equal(breaker.enter(), true, 'the trial');
  assert.equal(breaker.enter(), false, 'only one trial at a time');
  breaker.failed();
  assert.equal(breaker.state, 'open', 'a failed trial opens it again at once');

  now = 2000;
  assert.equal(breaker.enter(), true);
  breaker.abandoned(); // the caller gave up: nothing learned
  assert.equal(breaker.enter(), true, 'another trial may run');
  breaker.succeeded();
  assert.equal(breaker.state, 'closed');
  assert.equal(breaker.enter(), true);
  assert.equal(breaker.enter(), true, 'closed: everyone goes');
});

test('scrubbing removes the secrets it was given in every form, and credentials in URLs', () => {
  const scrubber = new Scrubber(['s3cret/pass word', 'tok-12345', undefined, 'ab']);
  const text = [
    'login with s3cret/pass word',
    `encoded ${encodeURIComponent('s3cret/pass word')}`,
    `base64 ${Buffer.from('tok-12345').toString('base64')}`,
    'GET https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe',
    'https://user:hunter22@example.com/path',
    'https://maps.example/api?q=salon&key=AbC123xyz&sig=deadbeef',
    'tab about ab stays',
  ].join('\n');
  const clean = scrubber.scrub(text);
  for (const leak of ['s3cret', 'pass word', 'tok-12345', 'AAHdqTcv', 'hunter22', 'AbC123xyz', 'deadbeef']) {
    assert.ok(!clean.includes(leak), `${leak} leaked: ${clean}`);
  }
  assert.match(clean, /\/bot\[redacted\]\/getMe/);
  assert.match(clean, /https:\/\/\[redacted\]@example\.com\/path/);
  assert.match(clean, /q=salon&key=\[redacted\]&sig=\[redacted\]/);
  assert.match(clean, /tab about ab stays/, 'a secret too short to be one is not searched for');
  assert.equal(
    scrubber.with(['another-one']).scrub('another-one and tok-12345'),
    '[redacted] and [redacted]',
  );
});

test('key-like text a service quotes back is removed, ordinary words are not', () => {
  const scrub = (text: string) => new Scrubber().scrub(text);
  assert.equal(
    scrub('Incorrect API key provided: sk-proj-ab12********************cd34. You can find your key…'),
    'Incorrect API key provided: [key]. You can find your key…',
  );
  assert.equal(scrub('API key AIzaSyA1234567890abcdefg not valid'), 'API key [key] not valid');
  assert.equal(scrub('model gemini-2.5-flash is overloaded'), 'model gemini-2.5-flash is overloaded');
});
