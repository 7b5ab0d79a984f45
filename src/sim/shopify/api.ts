// The Admin GraphQL endpoint as a client meets it: the pinned version in the path, the access token
// header, injected upstream failures, the single-query cost limit, the leaky bucket, and errors in the
// shape Shopify (graphql-ruby) gives them: HTTP 200 with `errors`, each with a message, locations and
// an `extensions.code`; the cost of every call under `extensions.cost`.
import { randomUUID } from 'node:crypto';
import {
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import type { FailureQueue, SimRequest, SimResponse } from '../http-sim.ts';
import type { Context } from './context.ts';
import { actualCost, requestedCost, type Bucket, type CostInput, type ThrottleStatus } from './cost.ts';
import { executionError, syntaxError, validationError, variableError, type ShopifyError } from './errors.ts';
import { API_VERSION } from './version.ts';

export interface AdminApi {
  schema: GraphQLSchema;
  adminToken: string;
  failures: FailureQueue;
  bucket: Bucket;
  maxQueryCost: number;
  context: () => Context;
}

interface Cost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

const ENDPOINT = /^\/admin\/api\/([^/]+)\/graphql\.json$/;

const json = (status: number, body: unknown): SimResponse => ({
  status,
  body,
  headers: { 'x-shopify-api-version': API_VERSION, 'x-request-id': randomUUID() },
});

const answer = (body: {
  data?: unknown;
  errors?: ShopifyError[];
  extensions?: { cost: Cost };
}): SimResponse => json(200, body);

export async function handleAdminApi(api: AdminApi, request: SimRequest): Promise<SimResponse> {
  const route = ENDPOINT.exec(request.path);
  // Shopify serves a retired version as the oldest supported one (naming it in X-Shopify-API-Version)
  // and a version that never existed as 404 Not Found. A simulator that speaks one version answers
  // every other with the 404; a client pinned to 2026-10 never sees it.
  if (!route || route[1] !== API_VERSION) return json(404, { errors: 'Not Found' });
  if (request.method !== 'POST') return json(405, { errors: 'Method Not Allowed' });
  const injected = api.failures.take();
  if (injected === 'hang') {
    await request.clientGone;
    return json(504, { errors: 'Gateway Timeout' });
  }
  if (injected === 'server-error')
    return {
      status: 502,
      raw: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>There was a problem with our servers. Please try again in a few minutes.</p></body></html>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    };
  if (injected === 'malformed')
    return {
      status: 200,
      raw: '{"data":{"orders":{"pageInfo":{"hasNextPage":tr',
      headers: { 'content-type': 'application/json' },
    };
  if (request.headers['x-shopify-access-token'] !== api.adminToken)
    return json(401, {
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });

  const body = (request.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const query = String(request.headers['content-type'] ?? '').startsWith('application/graphql')
    ? request.rawBody
    : body.query;
  if (typeof query !== 'string' || query.trim() === '')
    return json(400, { errors: { query: 'Required parameter missing or invalid' } });

  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return answer({ errors: [syntaxError(error as GraphQLError)], extensions: free(api) });
  }
  const invalid = validate(api.schema, document);
  if (invalid.length > 0)
    return answer({ errors: invalid.map((e) => validationError(e, document)), extensions: free(api) });
  const operationName = typeof body.operationName === 'string' ? body.operationName : null;
  const operation = getOperationAST(document, operationName);
  if (!operation)
    return answer({
      errors: [
        {
          message: operationName ? `No operation named "${operationName}"` : 'An operation name is required',
          extensions: { code: 'OPERATION_NOT_FOUND' },
        },
      ],
      extensions: free(api),
    });
  const coerced = getVariableValues(
    api.schema,
    operation.variableDefinitions ?? [],
    (body.variables as Record<string, unknown>) ?? {},
  );
  if (coerced.errors) return answer({ errors: coerced.errors.map(variableError), extensions: free(api) });

  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const input: CostInput = { schema: api.schema, operation, fragments, variables: coerced.coerced };
  const requested = requestedCost(input);
  if (requested > api.maxQueryCost)
    return answer({
      errors: [
        {
          message: `Query cost is ${requested}, which exceeds the single query max cost limit (${api.maxQueryCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
          extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: api.maxQueryCost },
        },
      ],
      extensions: {
        cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: api.bucket.status() },
      },
    });
  if (injected === 'rate-limit' || !api.bucket.take(requested)) return throttled(api, requested);

  const result: ExecutionResult = await execute({
    schema: api.schema,
    document,
    operationName,
    variableValues: coerced.coerced,
    contextValue: api.context(),
  });
  const actual = Math.min(requested, actualCost(input, result.data));
  api.bucket.refund(requested - actual);
  return answer({
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors?.length ? { errors: result.errors.map(executionError) } : {}),
    extensions: {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: api.bucket.status() },
    },
  });
}

/** A query refused before it ran costs nothing, but the answer still shows the bucket. */
const free = (api: AdminApi): { cost: Cost } => ({
  cost: { requestedQueryCost: 0, actualQueryCost: 0, throttleStatus: api.bucket.status() },
});

function throttled(api: AdminApi, requested: number): SimResponse {
  return answer({
    errors: [
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
      },
    ],
    extensions: {
      cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: api.bucket.status() },
    },
  });
}
