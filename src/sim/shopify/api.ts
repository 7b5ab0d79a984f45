// The Admin GraphQL endpoint as a client meets it: the pinned version in the path, the access token
// header, injected upstream failures, the single-query cost limit, the leaky bucket, and errors in the
// shape Shopify (graphql-ruby) gives them: HTTP 200 with `errors`, each with a message, locations and
// an `extensions.code`; the cost of every call under `extensions.cost`.
import { randomUUID } from 'node:crypto';
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import type { FailureQueue, SimRequest, SimResponse } from '../http-sim.ts';
import type { Context } from './context.ts';
import { actualCost, requestedCost, type Bucket, type CostInput, type ThrottleStatus } from './cost.ts';
import { API_VERSION } from './version.ts';

export interface AdminApi {
  schema: GraphQLSchema;
  adminToken: string;
  failures: FailureQueue;
  bucket: Bucket;
  maxQueryCost: number;
  context: () => Context;
}

interface ShopifyError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: Record<string, unknown>;
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
  // A version Shopify does not know (or one this simulator does not speak) is simply not there; a
  // client pinned to 2026-10 never sees this.
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
    return answer({ errors: [syntaxError(error as GraphQLError)] });
  }
  const invalid = validate(api.schema, document);
  if (invalid.length > 0) return answer({ errors: invalid.map((e) => validationError(e, document)) });
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
    });
  const coerced = getVariableValues(
    api.schema,
    operation.variableDefinitions ?? [],
    (body.variables as Record<string, unknown>) ?? {},
  );
  if (coerced.errors) return answer({ errors: coerced.errors.map(variableError) });

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

const locations = (error: GraphQLError) => error.locations?.map(({ line, column }) => ({ line, column }));

function syntaxError(error: GraphQLError): ShopifyError {
  const found = /found (.+)\.$/.exec(error.message)?.[1] ?? 'end of file';
  const at = error.locations?.[0];
  return {
    message: `syntax error, unexpected ${found.replace(/"/g, '')}${at ? ` at [${at.line}, ${at.column}]` : ''}`,
    locations: locations(error),
    extensions: { code: 'PARSE_ERROR' },
  };
}

/** graphql-js's wording, reworded into graphql-ruby's (which is what Shopify runs), with its codes. */
const REWORDINGS: [
  RegExp,
  (m: RegExpExecArray, operation: string) => { message: string; extensions: Record<string, unknown> },
][] = [
  [
    /^Cannot query field "(\w+)" on type "(\w+)"/,
    (m) => ({
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    }),
  ],
  [
    /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/,
    (m) => ({
      message: `Field '${m[2]}' doesn't accept argument '${m[1]}'`,
      extensions: { code: 'argumentNotAccepted', name: m[2], typeName: 'Field', argumentName: m[1] },
    }),
  ],
  [
    /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided/,
    (m) => ({
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: m[1], arguments: m[2] },
    }),
  ],
  [
    /^Unknown type "(\w+)"/,
    (m) => ({
      message: `No such type ${m[1]}, so it can't be a fragment condition`,
      extensions: { code: 'undefinedType', typeName: m[1] },
    }),
  ],
  [
    /^Variable "\$(\w+)" is never used/,
    (m, operation) => ({
      message: `Variable $${m[1]} is declared by ${operation} but not used`,
      extensions: { code: 'variableNotUsed', variableName: m[1] },
    }),
  ],
  [
    /^Variable "\$(\w+)" is not defined/,
    (m, operation) => ({
      message: `Variable $${m[1]} is used by ${operation} but not declared`,
      extensions: { code: 'variableNotDefined', variableName: m[1] },
    }),
  ],
  [
    /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields/,
    (m) => ({
      message: `Field must have selections (field '${m[1]}' returns ${m[2]} but has no selections. Did you mean '${m[1]} { ... }'?)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: m[2] },
    }),
  ],
  [
    /^Field "(\w+)" must not have a selection since type "([^"]+)" has no subfields/,
    (m) => ({
      message: `Selections can't be made on scalars (field '${m[1]}' returns ${m[2]} but has selections)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: m[2] },
    }),
  ],
];

function validationError(error: GraphQLError, document: DocumentNode): ShopifyError {
  const operation = getOperationAST(document);
  const name = operation
    ? `${operation.operation}${operation.name ? ` ${operation.name.value}` : ''}`
    : 'anonymous query';
  for (const [pattern, reword] of REWORDINGS) {
    const match = pattern.exec(error.message);
    if (match) return { ...reword(match, name), locations: locations(error) };
  }
  return {
    message: error.message,
    locations: locations(error),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  };
}

function variableError(error: GraphQLError): ShopifyError {
  const match = /^Variable "\$(\w+)" (?:of (?:required )?type "([^"]+)")?/.exec(error.message);
  const missing = /was not provided/.test(error.message);
  return {
    message: match
      ? `Variable $${match[1]} of type ${match[2] ?? 'unknown'} was provided invalid value`
      : error.message,
    locations: locations(error),
    extensions: {
      code: 'INVALID_VARIABLE',
      value: null,
      problems: [{ path: [], explanation: missing ? 'Expected value to not be null' : error.message }],
    },
  };
}

function executionError(error: GraphQLError): ShopifyError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  return {
    message:
      code === 'INTERNAL_SERVER_ERROR' && !error.extensions?.code
        ? `Internal error. Looks like something went wrong on our end. (${error.message})`
        : error.message,
    locations: locations(error),
    ...(error.path ? { path: error.path } : {}),
    extensions: { ...error.extensions, code },
  };
}
