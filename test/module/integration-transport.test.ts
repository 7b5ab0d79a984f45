// The integration transport against a local HTTP server: what is retried and how often, how long it
// waits (Retry-After in seconds and as a date, backoff growth), timeouts, the circuit breaker, each
// error kind, and secrets kept out of every message and log line. Waits and the clock are injected,
// so nothing here sleeps for the rules.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/platform/logger.ts';
import { CircuitBreaker } from '../../src/platform/integrations/circuit-breaker.ts';
import { IntegrationError } from '../../src/platform/integrations/integration-error.ts';
import { Transport, type TransportOptions } from '../../src/platform/integrations/transport.ts';
import { freePort } from '../support/cli.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
/** What the server answers, one handler per request, in order; then 200 {"ok":true}. */
let script: Handler[] = [];
let hits: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
let sleeps: number[] = [];
let clock = Date.parse('2030-01-01T00:00:00Z');

const reply =
  (status: number, body: unknown = {}, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const hang: Handler = () => undefined; // answers only when the client has gone

before(async () => {
  server = createServer((request, response) => {
    hits.push({ method: request.method!, url: request.url!, headers: request.headers });
    request.resume();
    request.on('end', () => (script.shift() ?? reply(200, { ok: true }))(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  script = [];
  hits = [];
  sleeps = [];
  clock = Date.parse('2030-01-01T00:00:00Z');
});

function transport(options: Partial<TransportOptions> = {}): Transport {
  return new Transport({
    integration: 'example',
    label: 'Example',
    baseUrl,
    retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 },
    timeoutMs: 5_000,
    // The clock moves by exactly what was waited, so deadlines are exact.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0.5, // the middle of the jitter: backoff delays come out exact
    ...options,
  });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected a failure'),
    (error: unknown) => {
      assert.ok(error instanceof IntegrationError, `an IntegrationError, not ${String(error)}`);
      return error;
    },
  );

test('a 5xx is retried with growing backoff, and the answer after it is returned', async () => {
  script = [reply(503), reply(502), reply(200, { orders: 3 })];
  const answer = await transport().json<{ orders: number }>({ path: '/orders' });
  assert.deepEqual(answer, { orders: 3 });
  assert.equal(hits.length, 3);
  assert.deepEqual(sleeps, [500, 1000]);
});

test('backoff doubles up to the cap and is spread by jitter', async () => {
  script = [reply(500), reply(500), reply(500), reply(500), reply(500)];
  const spread: number[] = [];
  let turn = 0;
  const error = await failure(
    transport({
      retry: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 },
      random: () => [0, 0.999, 0.5, 0.999][turn++]!,
      sleep: async (ms) => void spread.push(ms),
    }).json({ path: '/x' }),
  );
  assert.equal(error.kind, 'unavailable');
  assert.equal(error.status, 500);
  assert.equal(hits.length, 5, 'five attempts in all');
  // 1000·0.75, 2000·1.2495, 4000·1, then 8000·1.2495 held to the 5000 cap.
  assert.deepEqual(spread, [750, 2499, 4000, 5000]);
});

test('Retry-After in seconds is waited exactly; after the last attempt the kind is rate_limited', async () => {
  script = [
    reply(429, {}, { 'retry-after': '2' }),
    reply(429, {}, { 'retry-after': '7' }),
    reply(429, {}, { 'retry-after': '3' }),
  ];
  const error = await failure(transport().json({ path: '/busy' }));
  assert.equal(error.kind, 'rate_limited');
  assert.equal(error.status, 429);
  assert.equal(error.retryAfterMs, 3000, 'the caller learns how long to leave it');
  assert.equal(hits.length, 3);
  assert.deepEqual(sleeps, [2000, 7000]);
});

test('Retry-After as an HTTP date is waited until that moment; a longer one is capped', async () => {
  const inFive = new Date(clock + 5000).toUTCString();
  script = [reply(503, {}, { 'retry-after': inFive }), reply(429, {}, { 'retry-after': '3600' })];
  await transport({ retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 60_000 } }).json({ path: '/x' });
  assert.deepEqual(sleeps, [5000, 60_000]);
});

test('a delay the service puts in its error body is honoured when there is no header', async () => {
  script = [reply(429, { error: { retryDelay: '4s' } })];
  await transport({
    retryAfterFromBody: (body) =>
      Number.parseFloat((body as { error: { retryDelay: string } }).error.retryDelay) * 1000,
  }).json({ path: '/x' });
  assert.deepEqual(sleeps, [4000]);
});

test('401 and 403 are auth failures and are never retried', async () => {
  for (const status of [401, 403]) {
    hits = [];
    script = [reply(status, { message: 'Invalid credentials.' })];
    const error = await failure(transport().json({ path: '/me' }));
    assert.equal(error.kind, 'auth');
    assert.equal(error.retryable, false);
    assert.equal(error.status, status);
    assert.equal(hits.length, 1);
    assert.match(error.message, /Example answered HTTP \d+: Invalid credentials\. \(GET \/me\)/);
  }
  assert.deepEqual(sleeps, []);
});

test('another 4xx is rejected, with the service’s own message, and never retried', async () => {
  script = [reply(422, { message: 'The given data was invalid.', errors: { amount: ['too big'] } })];
  const error = await failure(
    transport().json({ method: 'POST', path: '/transactions', json: { amount: 1 } }),
  );
  assert.equal(error.kind, 'rejected');
  assert.match(error.message, /The given data was invalid/);
  assert.equal(hits.length, 1);
});

test('an integration can read its own failures: a kind and message the status does not give', async () => {
  script = [reply(500, { message: 'Unauthenticated.' })];
  const error = await failure(
    transport({
      explain: ({ status, body }) =>
        status === 500 && (body as { message?: string }).message === 'Unauthenticated.'
          ? { kind: 'auth', message: 'this user cannot use company 2' }
          : undefined,
    }).json({ path: '/x' }),
  );
  assert.equal(error.kind, 'auth');
  assert.equal(error.message, 'this user cannot use company 2');
  assert.equal(hits.length, 1, 'an auth failure is not retried, whatever its status');
});

test('a POST that may have been acted on is not sent twice; one the service refused untouched is', async () => {
  script = [reply(500)];
  const once = await failure(transport().json({ method: 'POST', path: '/create', json: {} }));
  assert.equal(once.kind, 'unavailable');
  assert.equal(once.retryable, false);
  assert.equal(hits.length, 1);

  hits = [];
  script = [reply(503), reply(429, {}, { 'retry-after': '1' }), reply(201, { id: 7 })];
  assert.deepEqual(await transport().json({ method: 'POST', path: '/create', json: {} }), { id: 7 });
  assert.equal(hits.length, 3);

  hits = [];
  script = [reply(500), reply(200, { id: 8 })];
  assert.deepEqual(await transport().json({ method: 'POST', path: '/ask', json: {}, idempotent: true }), {
    id: 8,
  });
  assert.equal(hits.length, 2, 'a POST marked idempotent is retried like a GET');
});

test('a service that does not answer in time is an unavailable failure, retried', async () => {
  script = [hang, reply(200, { late: false })];
  const answer = await transport({ timeoutMs: 200 }).json({ path: '/slow' });
  assert.deepEqual(answer, { late: false });
  assert.equal(hits.length, 2);

  hits = [];
  script = [hang, hang];
  const error = await failure(transport({ timeoutMs: 200, retry: { attempts: 2 } }).json({ path: '/slow' }));
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /Example did not answer within 0\.2 s \(GET \/slow\)/);
});

test('a service that cannot be reached is unavailable, retried even for a POST (nothing was sent)', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const error = await failure(
    transport({ baseUrl: closed }).json({ method: 'POST', path: '/create', json: {} }),
  );
  assert.equal(error.kind, 'unavailable');
  assert.match(error.message, /cannot reach Example at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  assert.equal(sleeps.length, 2, 'three attempts');
});

test('no wait runs past the deadline: the last failure is thrown instead', async () => {
  script = [reply(503), reply(503), reply(503)];
  const error = await failure(transport({ deadlineMs: 1200 }).json({ path: '/x' }));
  assert.equal(error.status, 503);
  assert.equal(hits.length, 2, 'the second wait (1000 ms at 500 ms in) would end past 1200 ms');
  assert.deepEqual(sleeps, [500]);
});

test('the circuit opens after a run of failures, fails fast, then lets one trial through', async () => {
  const breaker = new CircuitBreaker(3, 60_000, () => clock);
  const example = transport({ breaker, retry: { attempts: 1 } });
  script = [reply(500), reply(502), reply(504)];
  for (let i = 0; i < 3; i += 1) await failure(example.json({ path: '/x' }));
  assert.equal(breaker.state, 'open');

  const fast = await failure(example.json({ path: '/x' }));
  assert.equal(hits.length, 3, 'no request while the circuit is open');
  assert.equal(fast.kind, 'unavailable');
  assert.equal(fast.retryAfterMs, 60_000);
  assert.match(
    fast.message,
    /failed 3 times in a row, so shopkeep is not asking it for 60 s \(last: Example answered HTTP 504/,
  );

  clock += 60_000;
  assert.equal(breaker.state, 'half-open');
  script = [
    (_request, response) => {
      // While the trial is out, everyone else is still refused.
      void failure(example.json({ path: '/other' })).then((refused) => {
        assert.match(refused.message, /not asking it/);
        reply(200, { back: true })(_request, response);
      });
    },
  ];
  assert.deepEqual(await example.json({ path: '/trial' }), { back: true });
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(
    hits.map((hit) => hit.url),
    ['/x', '/x', '/x', '/trial'],
  );

  // A failed trial opens it again at once.
  for (let i = 0; i < 3; i += 1) {
    script = [reply(500)];
    await failure(example.json({ path: '/x' }));
  }
  clock += 60_000;
  script = [reply(500)];
  await failure(example.json({ path: '/x' }));
  assert.equal(breaker.state, 'open');
});

test('answers that say the service is up (4xx, 429) do not count towards opening the circuit', async () => {
  const breaker = new CircuitBreaker(2, 60_000, () => clock);
  const example = transport({ breaker, retry: { attempts: 1 } });
  script = [reply(500), reply(404), reply(500), reply(429), reply(500)];
  for (let i = 0; i < 5; i += 1) await failure(example.json({ path: '/x' }));
  assert.equal(breaker.state, 'closed');
});

test('secrets never appear in a message or a log line: keys, Basic passwords, a token in the path, key= in the query', async () => {
  const token = '123456789:AAH-very-secret-bot-token_xyz';
  const apiKey = 'live-key-0d3f9a';
  const password = 'correct horse battery';
  const lines: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
  const leaky: Handler = (request, response) =>
    reply(400, {
      error: {
        message: `bad request ${request.url} with key ${apiKey} and ${request.headers.authorization}`,
      },
    })(request, response);
  const example = transport({
    baseUrl: `${baseUrl}/bot${token}`,
    headers: {
      'x-api-key': apiKey,
      authorization: `Basic ${Buffer.from(`owner@example.com:${password}`).toString('base64')}`,
    },
    secrets: [password, token],
    logger,
  });
  const messages: string[] = [];
  script = [leaky];
  messages.push(
    (await failure(example.json({ path: '/getMe', query: { key: 'query-secret-123' } }))).message,
  );
  script = [reply(503), reply(404)];
  messages.push((await failure(example.json({ path: '/sendMessage' }))).message);
  script = [hang, hang, hang];
  messages.push(
    (
      await failure(
        transport({ baseUrl: `${baseUrl}/bot${token}`, timeoutMs: 100, logger }).json({ path: '/x' }),
      )
    ).message,
  );
  const closed = `http://127.0.0.1:${await freePort()}`;
  messages.push(
    (
      await failure(
        transport({ baseUrl: `${closed}/bot${token}`, logger, retry: { attempts: 2 } }).json({ path: '/x' }),
      )
    ).message,
  );
  const everything = [...messages, ...lines].join('\n');
  assert.ok(lines.length >= 3, 'the retries were logged');
  for (const secret of [token, '0d3f9a', apiKey, password, 'query-secret-123', 'AAH-very-secret']) {
    assert.ok(!everything.includes(secret), `"${secret}" leaked:\n${everything}`);
  }
  assert.ok(!everything.includes(Buffer.from(`owner@example.com:${password}`).toString('base64')));
  assert.match(messages[0]!, /\/bot\[redacted\]\/getMe/);
  assert.match(messages[1]!, /Example answered HTTP 404 \(GET \/bot\[redacted\]\/sendMessage\)/);
  assert.match(messages[2]!, /did not answer within 0\.1 s \(GET \/bot\[redacted\]\/x\)/);
});

test('credential headers go only to the integration’s own address; redirects are not followed', async () => {
  const other = createServer((request, response) => {
    hits.push({ method: request.method!, url: request.url!, headers: request.headers });
    response.end('{"downloaded":true}');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/file.jsonl`;
    const example = transport({ headers: { 'x-api-key': 'live-key-0d3f9a' } });
    await example.json({ url: elsewhere });
    await example.json({ path: '/own' });
    assert.equal(hits[0]!.headers['x-api-key'], undefined, 'not sent to another host');
    assert.equal(hits[1]!.headers['x-api-key'], 'live-key-0d3f9a');

    script = [reply(302, {}, { location: elsewhere })];
    const error = await failure(example.json({ path: '/moved' }));
    assert.equal(error.kind, 'rejected');
    assert.match(error.message, /answered with a redirect to http:\/\/127\.0\.0\.1:\d+\/file\.jsonl/);
    assert.equal(hits.length, 3, 'the redirect was not followed');
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});

test('a 2xx that is not JSON: a web page is rejected (wrong address), garbage is retried as unavailable', async () => {
  script = [
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>Sign in to your router</html>');
    },
  ];
  const page = await failure(transport().json({ path: '/api' }));
  assert.equal(page.kind, 'rejected');
  assert.match(page.message, /answered with a web page, not the API \(GET \/api\): check its address/);
  assert.equal(hits.length, 1);

  hits = [];
  script = [reply(200, '{"truncat'), reply(200, '')];
  const garbage = await failure(transport({ retry: { attempts: 2 } }).json({ path: '/api' }));
  assert.equal(garbage.kind, 'unavailable');
  assert.match(garbage.message, /answered with a body that is not JSON/);
  assert.equal(hits.length, 2);
});

test('text and line-by-line streams', async () => {
  script = [
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('plain words');
    },
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/jsonl' });
      response.write('{"id":1}\n{"id":2}\r\n');
      setImmediate(() => response.end('\n{"id":3}'));
    },
  ];
  const example = transport();
  assert.equal(await example.text({ path: '/words' }), 'plain words');
  const lines: string[] = [];
  for await (const line of example.lines({ path: '/export.jsonl' })) lines.push(line);
  assert.deepEqual(lines, ['{"id":1}', '{"id":2}', '', '{"id":3}']);
});

test('a caller that gives up cancels the call; it is neither retried nor held against the service', async () => {
  const breaker = new CircuitBreaker(1, 60_000, () => clock);
  const controller = new AbortController();
  script = [
    (_request, _response) => {
      controller.abort();
    },
  ];
  const error = await failure(transport({ breaker }).json({ path: '/x', signal: controller.signal }));
  assert.match(error.message, /was cancelled/);
  assert.equal(error.retryable, false);
  assert.equal(hits.length, 1);
  assert.equal(breaker.state, 'closed');
});

test('a client library that reads failures itself gets the last failed answer, after the retries', async () => {
  script = [
    reply(502),
    reply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }),
  ];
  const answer = await transport().response({
    method: 'POST',
    path: '/sendMessage',
    json: {},
    idempotent: true,
    passFailures: true,
  });
  assert.equal(answer.status, 400);
  assert.deepEqual(await answer.json(), {
    ok: false,
    error_code: 400,
    description: 'Bad Request: chat not found',
  });
  assert.equal(hits.length, 2, 'the 502 was retried first');

  // Without an answer at all there is nothing to pass on.
  const closed = `http://127.0.0.1:${await freePort()}`;
  const error = await failure(
    transport({ baseUrl: closed, retry: { attempts: 1 } }).response({ path: '/x', passFailures: true }),
  );
  assert.equal(error.kind, 'unavailable');
});

test('a file downloads as bytes', async () => {
  script = [
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/ogg' });
      response.end(Buffer.from([0x4f, 0x67, 0x67, 0x53, 0x00, 0xff]));
    },
  ];
  assert.deepEqual(
    [...(await transport().bytes({ path: '/file/voice.oga' }))],
    [0x4f, 0x67, 0x67, 0x53, 0x00, 0xff],
  );
});
