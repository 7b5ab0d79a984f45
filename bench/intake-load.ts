// The webhook load generator, in a process of its own so the simulator's large heap (50,000 orders)
// in the benchmark process does not slow the client down: reads {url, headers, body, connections,
// seconds, overallRate?} as JSON on stdin, POSTs the same signed body with a fresh
// X-Shopify-Webhook-Id each time (every request is a new delivery), prints autocannon's figures.
import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import autocannon from 'autocannon';

const input = JSON.parse(await text(process.stdin)) as {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  overallRate?: number;
};
const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.seconds,
  ...(input.overallRate ? { overallRate: input.overallRate } : {}),
  requests: [
    {
      method: 'POST',
      headers: input.headers,
      body: input.body,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, 'x-shopify-webhook-id': randomUUID() },
      }),
    },
  ],
});
console.log(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
