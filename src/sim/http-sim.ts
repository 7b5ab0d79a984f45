// The small HTTP plumbing every simulator shares: a loopback server, JSON in and out, and failures
// that a test or the sandbox can inject ("the next 2 calls answer 429").
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
  bodyBytes: Buffer;
  /** Settles when the client goes away: a simulated hang waits for this, not for a timer. */
  clientGone: Promise<void>;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A reply that is not JSON (a file download, or a broken upstream). */
  raw?: string | Buffer;
}

export type SimHandler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

/** What a simulated language model was asked; a responder decides what it says back. */
export interface ModelCall {
  model: string;
  system: string;
  prompt: string;
  schema: unknown;
}

/** Returns the model's answer, or undefined for the simulator's default. */
export type ModelResponder = (call: ModelCall) => string | undefined;

export type InjectedFailure = 'rate-limit' | 'server-error' | 'malformed' | 'hang';

export class FailureQueue {
  private readonly queue: InjectedFailure[] = [];

  /** The next `count` requests fail this way, in order. */
  add(kind: InjectedFailure, count = 1): void {
    for (let i = 0; i < count; i += 1) this.queue.push(kind);
  }

  take(): InjectedFailure | undefined {
    return this.queue.shift();
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** A per-minute request quota, as the APIs the simulators stand for keep one per key or user. */
export class MinuteQuota {
  private recent: number[] = [];

  constructor(readonly limit: number) {}

  /**
   * Counts one request: undefined when it fits, else the seconds until one would. A forced refusal
   * (an injected 429) waits a second and is not counted.
   */
  take(forced = false): number | undefined {
    const now = Date.now();
    this.recent = this.recent.filter((at) => now - at < 60_000);
    if (forced) return 1;
    if (this.recent.length >= this.limit) return Math.ceil((this.recent[0]! + 60_000 - now) / 1000);
    this.recent.push(now);
    return undefined;
  }

  get remaining(): number {
    return this.limit - this.recent.length;
  }
}

export async function listen(handler: SimHandler): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => void serve(handler, request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function serve(handler: SimHandler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const bodyBytes = Buffer.concat(chunks);
  const rawBody = bodyBytes.toString('utf8');
  let body: unknown;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    body = undefined;
  }
  const url = new URL(request.url ?? '/', 'http://sim');
  const clientGone = new Promise<void>((resolve) => response.once('close', () => resolve()));
  let reply: SimResponse;
  try {
    reply = await handler({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
      rawBody,
      bodyBytes,
      clientGone,
    });
  } catch (error) {
    reply = { status: 500, body: { error: { message: `simulator bug: ${(error as Error).message}` } } };
  }
  if (response.destroyed) return;
  const type = reply.raw instanceof Buffer ? 'application/octet-stream' : 'application/json';
  response.writeHead(reply.status, { 'content-type': type, ...reply.headers });
  response.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
}

/** A deterministic number in [0, 1) from a string, so simulated answers repeat for the same input. */
export function hashUnit(text: string, salt = 0): number {
  let hash = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) / 2 ** 32;
}

/** A value that satisfies a (JSON Schema subset) schema, the same one every time for the same seed. */
export function valueFromSchema(schema: unknown, seed: string): unknown {
  const s = (schema ?? {}) as {
    type?: string;
    enum?: unknown[];
    properties?: Record<string, unknown>;
    required?: string[];
    items?: unknown;
    minItems?: number;
    minimum?: number;
    maximum?: number;
    minLength?: number;
  };
  if (s.enum?.length) return s.enum[Math.floor(hashUnit(seed) * s.enum.length)];
  switch (s.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([key, inner]) => [
          key,
          valueFromSchema(inner, `${seed}.${key}`),
        ]),
      );
    case 'array':
      return Array.from({ length: Math.max(s.minItems ?? 1, 1) }, (_, i) =>
        valueFromSchema(s.items, `${seed}[${i}]`),
      );
    case 'integer':
    case 'number': {
      const min = s.minimum ?? 0;
      const max = s.maximum ?? 100;
      const value = min + hashUnit(seed) * (max - min);
      return s.type === 'integer' ? Math.round(value) : Math.round(value * 100) / 100;
    }
    case 'boolean':
      return hashUnit(seed) > 0.5;
    default:
      return `simulated ${seed.split('.').pop()}`.padEnd(s.minLength ?? 0, '.');
  }
}

export function pseudoEmbedding(text: string, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, (_, i) => hashUnit(text, i) * 2 - 1);
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return vector.map((v) => v / norm);
}

export function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
