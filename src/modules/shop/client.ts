// The Admin GraphQL client: the pinned API version, the access token, cost-based throttling (it waits
// for the bucket to refill instead of failing), cursor pagination and bulk operations streamed line by
// line. The HTTP side (timeouts, retries with backoff on 5xx, timeouts and network errors, the circuit
// breaker, the token kept out of messages) is the integrations transport.
import { AppError } from '../../platform/errors.ts';
import type { CircuitBreaker } from '../../platform/integrations/circuit-breaker.ts';
import { IntegrationError } from '../../platform/integrations/integration-error.ts';
import { Transport, type Explanation, type FailedAnswer } from '../../platform/integrations/transport.ts';
import type { Logger } from '../../platform/logger.ts';
import { API_VERSION, BULK_RUN_MUTATION, BULK_STATUS_QUERY } from './queries.ts';

export interface ShopifyConnection {
  shop: string; // the *.myshopify.com domain
  adminToken: string;
  baseUrl: string; // https://{shop}, or the simulator / a proxy
}

interface Cost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[] | string;
  extensions?: { cost?: Cost };
}

/** Shopify said no in a way retrying will not fix (a bad token, a bad query). */
export class ShopifyError extends Error {
  constructor(
    message: string,
    readonly kind: 'auth' | 'query' | 'unavailable',
  ) {
    super(message);
    this.name = 'ShopifyError';
  }
}

export interface ClientOptions {
  logger: Logger;
  timeoutMs?: number;
  maxRetries?: number;
  /** Waits are injectable so tests of the backoff rules do not sleep. */
  sleep?: (ms: number) => Promise<void>;
  bulkPollMs?: number;
  /** One per shop, shared by its clients, so a Shopify that is down is left alone by all of them. */
  breaker?: CircuitBreaker;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const GRAPHQL_PATH = `/admin/api/${API_VERSION}/graphql.json`;

export class ShopifyClient {
  private readonly transport: Transport;
  private readonly sleep: (ms: number) => Promise<void>;
  private bucket: { available: number; restoreRate: number; at: number } | undefined;
  /** What the last query cost: the next one of the same kind will cost about the same. */
  private readonly lastCost = new Map<string, number>();
  throttledWaits = 0;

  constructor(
    private readonly connection: ShopifyConnection,
    private readonly options: ClientOptions,
  ) {
    this.sleep = options.sleep ?? sleepFor;
    const endpoint = `${connection.baseUrl.replace(/\/$/, '')}${GRAPHQL_PATH}`;
    this.transport = new Transport({
      integration: 'shopify',
      label: 'Shopify',
      baseUrl: connection.baseUrl,
      headers: { 'x-shopify-access-token': connection.adminToken },
      timeoutMs: options.timeoutMs ?? 30_000,
      deadlineMs: 5 * 60_000,
      retry: { attempts: (options.maxRetries ?? 5) + 1, baseDelayMs: 500, maxDelayMs: 30_000 },
      breaker: options.breaker,
      explain: (answer) => explain(answer, connection.shop, endpoint),
      logger: options.logger,
      sleep: this.sleep,
    });
  }

  get shop(): string {
    return this.connection.shop;
  }

  async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (;;) {
      await this.waitForBucket(document);
      const answer = await this.post<T>(document, variables);
      const cost = answer.extensions?.cost;
      if (cost) this.noteCost(document, cost);
      const errors = Array.isArray(answer.errors)
        ? answer.errors
        : answer.errors
          ? [{ message: answer.errors }]
          : [];
      if (errors.some((error) => error.extensions?.code === 'THROTTLED')) {
        this.throttledWaits += 1;
        const needed = cost ? cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable : 50;
        const rate = cost?.throttleStatus.restoreRate ?? 50;
        await this.sleep(Math.max(100, Math.ceil((needed / rate) * 1000)));
        continue;
      }
      if (errors.length) {
        throw new ShopifyError(
          `Shopify refused the query: ${errors.map((error) => error.message).join('; ')}`,
          'query',
        );
      }
      if (answer.data === undefined) throw new ShopifyError('Shopify answered without data', 'query');
      return answer.data;
    }
  }

  /** Every page of a connection; `pick` finds the connection in the answer. */
  async *pages<T, N>(
    document: string,
    variables: Record<string, unknown>,
    pick: (data: T) => Page<N> | null | undefined,
  ): AsyncGenerator<{ nodes: N[]; cursor: string | null }> {
    let after: string | null = (variables.after as string | undefined) ?? null;
    for (;;) {
      const page = pick(await this.query<T>(document, { ...variables, after }));
      if (!page) return;
      yield { nodes: page.nodes, cursor: page.pageInfo.endCursor };
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
      after = page.pageInfo.endCursor;
    }
  }

  /**
   * Runs a bulk query and streams its result: each top-level object with its children put back under
   * the connection they came from (children name their parent with `__parentId`). `operationId`
   * resumes an operation started before a crash.
   */
  async startBulk(query: string): Promise<string> {
    const data = await this.query<{
      bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string }[] };
    }>(BULK_RUN_MUTATION, { query });
    const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
    if (!bulkOperation) {
      throw new ShopifyError(
        `Shopify refused the bulk export: ${userErrors.map((e) => e.message).join('; ')}`,
        'query',
      );
    }
    return bulkOperation.id;
  }

  async waitForBulk(id: string, onProgress?: (objects: number) => void): Promise<string | null> {
    for (;;) {
      const { node } = await this.query<{
        node: { status: string; errorCode: string | null; objectCount: string; url: string | null } | null;
      }>(BULK_STATUS_QUERY, { id });
      if (!node) throw new ShopifyError(`the bulk export ${id} no longer exists`, 'query');
      onProgress?.(Number(node.objectCount));
      if (node.status === 'COMPLETED') return node.url;
      if (['FAILED', 'CANCELED', 'CANCELLED', 'EXPIRED'].includes(node.status)) {
        throw new ShopifyError(
          `the bulk export ended ${node.status.toLowerCase()} (${node.errorCode ?? 'no reason given'})`,
          'unavailable',
        );
      }
      await this.sleep(this.options.bulkPollMs ?? 1000);
    }
  }

  /** Streams a finished bulk result; `nest` says under which field a child of a given type belongs. */
  async *bulkObjects(
    url: string | null,
    nest: (childGid: string) => string | undefined,
  ): AsyncGenerator<Record<string, unknown>> {
    if (!url) return; // no objects at all
    let current: Record<string, unknown> | undefined;
    let byId = new Map<string, Record<string, unknown>>();
    const index = (object: Record<string, unknown>) => {
      if (typeof object.id === 'string') byId.set(object.id, object);
      for (const value of Object.values(object)) {
        if (Array.isArray(value))
          for (const item of value)
            if (item && typeof item === 'object') index(item as Record<string, unknown>);
      }
    };
    for await (const line of this.download(url)) {
      if (!line.trim()) continue;
      const object = JSON.parse(line) as Record<string, unknown>;
      const parentId = object.__parentId as string | undefined;
      if (parentId === undefined) {
        if (current) yield current;
        current = object;
        byId = new Map();
        index(object);
        continue;
      }
      delete object.__parentId;
      const parent = byId.get(parentId);
      const field = typeof object.id === 'string' ? nest(object.id) : undefined;
      if (!parent || !field)
        throw new ShopifyError(
          `the bulk export has a child of ${parentId} that shopkeep cannot place`,
          'query',
        );
      const list = ((parent[field] as { nodes?: unknown[] } | undefined)?.nodes ?? []) as unknown[];
      list.push(object);
      parent[field] = { nodes: list };
      index(object);
    }
    if (current) yield current;
  }

  private async post<T>(document: string, variables: Record<string, unknown>): Promise<GraphQLAnswer<T>> {
    try {
      return await this.transport.json<GraphQLAnswer<T>>({
        method: 'POST',
        path: GRAPHQL_PATH,
        json: { query: document, variables },
        // A query may be asked twice; a mutation only when Shopify cannot have run it.
        idempotent: !/^\s*mutation\b/.test(document),
      });
    } catch (error) {
      throw asShopifyError(error);
    }
  }

  /** The bulk result file (a signed link elsewhere: the token is not sent there), line by line. */
  private async *download(url: string): AsyncGenerator<string> {
    try {
      yield* this.transport.lines({ url, timeoutMs: 10 * 60_000, deadlineMs: 10 * 60_000 });
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      throw new ShopifyError(`could not download the bulk export (${error.message})`, 'unavailable');
    }
  }

  private noteCost(document: string, cost: Cost): void {
    this.lastCost.set(document, cost.requestedQueryCost);
    this.bucket = {
      available: cost.throttleStatus.currentlyAvailable,
      restoreRate: cost.throttleStatus.restoreRate,
      at: Date.now(),
    };
  }

  /** Waits until the bucket has refilled enough for this query, by the restore rate Shopify reported. */
  private async waitForBucket(document: string): Promise<void> {
    const needed = this.lastCost.get(document);
    if (!this.bucket || needed === undefined) return;
    const available =
      this.bucket.available + ((Date.now() - this.bucket.at) / 1000) * this.bucket.restoreRate;
    if (available >= needed) return;
    await this.sleep(Math.ceil(((needed - available) / this.bucket.restoreRate) * 1000));
  }
}

/** Shopify's failed answers in words the owner can act on. */
function explain(answer: FailedAnswer, shop: string, endpoint: string): Explanation | undefined {
  const { status } = answer;
  if (status === 401 || status === 403)
    return {
      message: `Shopify refused the admin API token for ${shop} (HTTP ${status}): check the token and the app's access scopes`,
    };
  if (status === 404)
    return { message: `no Shopify Admin API at ${endpoint} (HTTP 404): check the shop domain` };
  if (status === 429 || status >= 500) return { message: `Shopify answered HTTP ${status}` };
  const errors = (answer.body as { errors?: unknown } | undefined)?.errors;
  const said = Array.isArray(errors)
    ? errors.map((error: { message?: string }) => error.message).join('; ')
    : typeof errors === 'string'
      ? errors
      : errors
        ? JSON.stringify(errors)
        : `HTTP ${status}`;
  return { message: `Shopify refused the query: ${said}` };
}

/** The transport's kinds as the shop module knows them: a refused request is a query Shopify refused. */
function asShopifyError(error: unknown): unknown {
  if (!(error instanceof IntegrationError)) return error;
  if (error.kind === 'auth') return new ShopifyError(error.message, 'auth');
  if (error.kind === 'rejected') return new ShopifyError(error.message, 'query');
  return new ShopifyError(
    error.attempts > 1
      ? `Shopify did not answer after ${error.attempts} attempts (${error.message}); shopkeep will try again later`
      : error.message,
    'unavailable',
  );
}

/**
 * Rethrows a Shopify failure as the error a caller shows (what went wrong, what to do); anything
 * else unchanged, so a database error stays an internal error and its message is not shown.
 */
export function explainShopify(error: unknown): never {
  if (error instanceof ShopifyError) {
    throw new AppError(error.kind === 'auth' ? 'forbidden' : 'unavailable', error.message);
  }
  throw error;
}
