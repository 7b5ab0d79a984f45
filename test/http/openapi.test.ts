// /api/docs describes every route of every module: its inputs, and every answer it gives (the test
// run also holds each answer to its schema, src/platform/http/response-check.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

interface Operation {
  summary?: string;
  tags?: string[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

test('every API route is documented, with a summary, its success answer and the error answer', async () => {
  const spec = (await server.app.inject({ url: '/api/docs/openapi.json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };
  const api = server.app.routeList.filter((route) => route.url.startsWith('/api/v1'));
  assert.ok(api.length > 60, `${api.length} API routes`);
  const problems: string[] = [];
  for (const route of api) {
    const where = `${route.method} ${route.url}`;
    if (!route.documented) {
      problems.push(`${where} is hidden from /api/docs`);
      continue;
    }
    const operation = spec.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
    if (!operation) {
      problems.push(`${where} is not in openapi.json`);
      continue;
    }
    if (!operation.summary) problems.push(`${where} has no summary`);
    const statuses = Object.keys(operation.responses ?? {});
    const success = statuses.filter((status) => /^2/.test(status));
    if (!success.length) problems.push(`${where} declares no success answer`);
    if (!statuses.includes('4XX') && !statuses.some((status) => /^4\d\d$/.test(status)))
      problems.push(`${where} declares no error answer`);
    // JSON as a rule; a download names its own types (application/pdf, text/csv) with a schema each.
    for (const status of success)
      if (
        status !== '204' &&
        !Object.values(operation.responses![status]!.content ?? {}).some((media) => media.schema)
      )
        problems.push(`${where} answers ${status} with no schema for its body`);
  }
  assert.deepEqual(problems, []);
});

test('documented routes outside /api/v1 are the system ones only', () => {
  const others = server.app.routeList
    .filter((route) => route.documented && !route.url.startsWith('/api/v1'))
    .map((route) => `${route.method} ${route.url}`);
  assert.deepEqual(others.sort(), ['GET /healthz', 'GET /metrics', 'GET /readyz']);
});

test('a Shopify id has one type across the API, in what it takes and what it answers: a whole number', async () => {
  const spec = (await server.app.inject({ url: '/api/docs/openapi.json' })).json();
  const ids: string[] = [];
  const wrong: string[] = [];
  // Every property named like a Shopify id (productIds, variantId, orderId, …), anywhere in the document.
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((each, index) => visit(each, `${where}[${index}]`));
    if (!node || typeof node !== 'object') return;
    const properties = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
    for (const [name, schema] of Object.entries(properties ?? {})) {
      if (!/^(product|variant|order|customer|payout|refund|transaction)Ids?$/.test(name)) continue;
      const item = (name.endsWith('Ids') ? (schema.items as Record<string, unknown>) : schema) ?? {};
      const type =
        item.type ?? (item.anyOf as { type: string }[] | undefined)?.map((each) => each.type).join('|');
      ids.push(`${where}.${name}`);
      if (!['integer', 'integer|null', 'null|integer'].includes(String(type)))
        wrong.push(`${where}.${name}: ${String(type)}`);
    }
    for (const [key, value] of Object.entries(node)) visit(value, `${where}.${key}`);
  };
  visit(spec.paths, 'paths');
  assert.ok(
    ids.some((id) => id.includes('/api/v1/qa/check') && id.endsWith('productIds')),
    ids.join('\n'),
  );
  assert.ok(ids.some((id) => id.includes('/api/v1/approvals') && id.endsWith('productIds')));
  assert.deepEqual(wrong, []);
});
