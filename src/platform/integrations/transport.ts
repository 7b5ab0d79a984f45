// The one way shopkeep calls an external HTTP API: a timeout per attempt and a deadline for the whole
// call, retries with backoff for what may pass (network errors, timeouts, 408, 429, 5xx) honouring
// Retry-After, a circuit breaker, failures sorted into IntegrationError kinds, and the integration's
// secrets scrubbed from every message. Credential headers go only to the integration's own origin,
// and redirects are not followed, so a key never travels to another host.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Logger } from '../logger.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import {
  IntegrationError,
  type IntegrationErrorDetails,
  type IntegrationErrorKind,
} from './integration-error.ts';
import { parseRetryAfter, retrying, sleep as realSleep, type RetryPolicy } from './retry.ts';
import { Scrubber } from './secrets.ts';

export interface FailedAnswer {
  status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  text: string;
  headers: Headers;
}

/** What an integration knows about one of its failed answers that the status alone does not say. */
export interface Explanation {
  kind?: IntegrationErrorKind;
  message?: string;
}

export interface TransportOptions {
  /** The integration's name, as in its credentials and IntegrationError ('akaunting'). */
  integration: string;
  /** How messages name it ('Akaunting'). */
  label: string;
  /** Requests given a `path` go here; credential headers go only to this origin. */
  baseUrl?: string;
  /** Sent with every request to the base URL's origin (credentials, API version). */
  headers?: Record<string, string>;
  /** Values never to appear in a message or a log line (keys, tokens, passwords). */
  secrets?: readonly (string | undefined)[];
  /** One attempt, answer and body included. */
  timeoutMs?: number;
  /** Every attempt and every wait between them. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Shared by every transport of one integration; false when the caller keeps its own. */
  breaker?: CircuitBreaker | false;
  /** The service's own reading of a failed answer: its message, or a kind the status does not give. */
  explain?: (answer: FailedAnswer) => Explanation | undefined;
  /** A retry delay some services put in the error body (Gemini's RetryInfo). */
  retryAfterFromBody?: (body: unknown) => number | undefined;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface TransportRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under the base URL. */
  path?: string;
  /** A whole URL instead (a download link); credential headers are sent only to the base URL's origin. */
  url?: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (OAuth token requests, the Graph API); unset values are left out. */
  form?: Record<string, string | undefined>;
  body?: FormData | string;
  /**
   * Whether doing it twice is harmless. A request that is not (a POST that creates) is retried only
   * when the service cannot have acted on it: refused before the connection opened, or 408/429/503.
   * GET, PUT and DELETE are idempotent unless said otherwise.
   */
  idempotent?: boolean;
  timeoutMs?: number;
  deadlineMs?: number;
  signal?: AbortSignal;
  /**
   * For a client library that reads the service's error answers itself (grammY): a failed answer
   * that retrying did not mend is returned, not thrown. Network failures are still thrown.
   */
  passFailures?: boolean;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };
/** Statuses that say the request was not acted on, so even a POST may be sent again. */
const NOT_ACTED_ON = new Set([408, 429, 503]);
/** Connection failures before anything was sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Statuses whose answer has no body. */
const NO_BODY = new Set([101, 204, 205, 304]);
/** The failed answer behind an error, kept for requests that pass failures on. */
const failedAnswers = new WeakMap<IntegrationError, Response>();

export class Transport {
  readonly integration: string;
  private readonly origin: string | undefined;
  private readonly scrubber: Scrubber;
  private readonly policy: RetryPolicy;
  private readonly breaker: CircuitBreaker | undefined;
  private readonly now: () => number;
  private lastFailure: string | undefined;

  constructor(private readonly options: TransportOptions) {
    this.integration = options.integration;
    this.origin = options.baseUrl ? new URL(options.baseUrl).origin : undefined;
    this.now = options.now ?? Date.now;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.breaker =
      options.breaker === false ? undefined : (options.breaker ?? new CircuitBreaker(5, 60_000, this.now));
    this.scrubber = new Scrubber([...(options.secrets ?? []), ...credentialsIn(options.headers ?? {})]);
  }

  /** Removes this integration's secrets (and anything key-like) from a text. */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  /** The answer's JSON body; an answer that is not JSON fails like an unavailable service. */
  json<T>(request: TransportRequest): Promise<T> {
    const headers = { accept: 'application/json', ...request.headers };
    return this.send({ ...request, headers }, async (response, where) => {
      const text = await response.text();
      try {
        if (text) return JSON.parse(text) as T;
      } catch {
        // told below
      }
      if ((response.headers.get('content-type') ?? '').includes('text/html'))
        throw this.error(
          'rejected',
          `${this.options.label} answered with a web page, not the API (${where}): check its address`,
          { status: response.status },
        );
      throw this.error(
        'unavailable',
        `${this.options.label} answered with a body that is not JSON (${where})`,
        {
          status: response.status,
          retryable: this.idempotent(request),
        },
      );
    });
  }

  text(request: TransportRequest): Promise<string> {
    return this.send(request, (response) => response.text());
  }

  /** The answer's body as bytes (a file download). */
  bytes(request: TransportRequest): Promise<Buffer> {
    return this.send(request, async (response) => Buffer.from(await response.arrayBuffer()));
  }

  /**
   * The answer's body line by line, as it arrives (a JSONL export of any size in little memory).
   * The request's timeout covers the whole download.
   */
  async *lines(request: TransportRequest): AsyncGenerator<string> {
    const response = await this.send(request, async (answer) => answer);
    if (!response.body) return;
    const input = Readable.fromWeb(response.body as never);
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) yield line;
    } catch (error) {
      throw this.error(
        'unavailable',
        `the download from ${this.options.label} broke off: ${reasonOf(error)}`,
        { retryable: false },
      );
    } finally {
      // A reader that stops early leaves no connection open.
      lines.close();
      input.destroy();
    }
  }

  /** A successful answer, whose body the caller reads. */
  response(request: TransportRequest): Promise<Response> {
    return this.send(request, async (answer) => answer);
  }

  private async send<T>(
    request: TransportRequest,
    read: (response: Response, where: string) => Promise<T>,
  ): Promise<T> {
    const url = this.url(request);
    const where = this.scrub(`${request.method ?? 'GET'} ${url.pathname}`);
    const deadlineAt = this.now() + (request.deadlineMs ?? this.options.deadlineMs ?? 120_000);
    try {
      return await this.retried(request, url, where, deadlineAt, read);
    } catch (error) {
      const answer = request.passFailures && error instanceof IntegrationError && failedAnswers.get(error);
      if (answer) return read(answer, where);
      throw error;
    }
  }

  private retried<T>(
    request: TransportRequest,
    url: URL,
    where: string,
    deadlineAt: number,
    read: (response: Response, where: string) => Promise<T>,
  ): Promise<T> {
    return retrying(() => this.attempt(request, url, where, deadlineAt, read), {
      policy: this.policy,
      sleep: this.options.sleep ?? realSleep,
      now: this.now,
      random: this.options.random,
      deadlineAt,
      onRetry: (error, attempt, delayMs) =>
        this.options.logger?.warn(
          { integration: this.integration, attempt, delayMs, err: error.message },
          `${this.options.label} call failed; retrying`,
        ),
    });
  }

  private async attempt<T>(
    request: TransportRequest,
    url: URL,
    where: string,
    deadlineAt: number,
    read: (response: Response, where: string) => Promise<T>,
  ): Promise<T> {
    if (this.breaker && !this.breaker.enter()) throw this.circuitOpen();
    const timeoutMs = Math.max(
      1,
      Math.min(request.timeoutMs ?? this.options.timeoutMs ?? 30_000, deadlineAt - this.now()),
    );
    const signal = request.signal
      ? AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    let serviceUp: boolean | undefined;
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method ?? 'GET',
          headers: this.headers(request, url),
          body: bodyOf(request),
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        serviceUp = false;
        throw this.unreached(error, request, where, timeoutMs);
      }
      if (response.status < 200 || response.status > 299) {
        const failure = await this.failure(response, request, where);
        serviceUp = failure.kind !== 'unavailable';
        throw failure;
      }
      try {
        const value = await read(response, where);
        serviceUp = true;
        return value;
      } catch (error) {
        if (error instanceof IntegrationError) {
          serviceUp = error.kind !== 'unavailable';
          throw error;
        }
        serviceUp = false;
        throw this.unreached(error, request, where, timeoutMs);
      }
    } catch (error) {
      if (request.signal?.aborted) {
        serviceUp = undefined;
        throw this.error('unavailable', `the call to ${this.options.label} was cancelled (${where})`, {
          retryable: false,
        });
      }
      if (serviceUp === false && error instanceof IntegrationError) this.lastFailure = error.message;
      throw error;
    } finally {
      if (serviceUp === true) this.breaker?.succeeded();
      else if (serviceUp === false) this.breaker?.failed();
      else this.breaker?.abandoned();
    }
  }

  private async failure(
    response: Response,
    request: TransportRequest,
    where: string,
  ): Promise<IntegrationError> {
    const text = await response.text().catch(() => '');
    const failure = this.failed(response, text, request, where);
    if (request.passFailures)
      failedAnswers.set(
        failure,
        new Response(NO_BODY.has(response.status) ? null : text, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        }),
      );
    return failure;
  }

  private failed(
    response: Response,
    text: string,
    request: TransportRequest,
    where: string,
  ): IntegrationError {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const { status, headers } = response;
    const explained = this.options.explain?.({ status, body, text, headers });
    const kind = explained?.kind ?? kindOf(status);
    const retryAfterMs =
      parseRetryAfter(headers.get('retry-after'), this.now()) ?? this.options.retryAfterFromBody?.(body);
    const detail = explained?.message ?? this.described(status, body, headers, where);
    const mayRetry = kind === 'unavailable' || kind === 'rate_limited';
    return this.error(kind, detail, {
      status,
      retryAfterMs,
      retryable: mayRetry && (this.idempotent(request) || NOT_ACTED_ON.has(status)),
    });
  }

  private described(status: number, body: unknown, headers: Headers, where: string): string {
    if (status >= 300 && status < 400)
      return `${this.options.label} answered with a redirect to ${headers.get('location') ?? 'elsewhere'} (${where}): use that address`;
    const said = messageIn(body);
    return `${this.options.label} answered HTTP ${status}${said ? `: ${said.slice(0, 300)}` : ''} (${where})`;
  }

  private unreached(
    error: unknown,
    request: TransportRequest,
    where: string,
    timeoutMs: number,
  ): IntegrationError {
    const name = (error as Error | undefined)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return this.error(
        'unavailable',
        `${this.options.label} did not answer within ${formatSeconds(timeoutMs)} (${where})`,
        { retryable: this.idempotent(request) },
      );
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return this.error(
      'unavailable',
      `cannot reach ${this.options.label} at ${this.url(request).origin}: ${reasonOf(error)}`,
      { retryable: this.idempotent(request) || (code !== undefined && NOT_SENT.has(code)) },
    );
  }

  private circuitOpen(): IntegrationError {
    const retryAt = this.breaker?.retryAt;
    const wait = retryAt === undefined ? undefined : Math.max(0, retryAt - this.now());
    return this.error(
      'unavailable',
      `${this.options.label} failed ${this.breaker!.threshold} times in a row, so shopkeep is not asking it for ${
        wait === undefined ? 'a moment' : formatSeconds(wait)
      }${this.lastFailure ? ` (last: ${this.lastFailure})` : ''}`,
      { retryable: false, retryAfterMs: wait },
    );
  }

  private error(
    kind: IntegrationErrorKind,
    message: string,
    details: IntegrationErrorDetails,
  ): IntegrationError {
    return new IntegrationError(this.integration, kind, this.scrub(message), details);
  }

  private url(request: TransportRequest): URL {
    const base = this.options.baseUrl?.replace(/\/$/, '');
    const url = new URL(request.url ?? `${base ?? ''}${request.path ?? ''}`);
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private headers(request: TransportRequest, url: URL): Record<string, string> {
    return {
      ...(url.origin === this.origin ? this.options.headers : {}),
      ...(request.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(request.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...request.headers,
    };
  }

  private idempotent(request: TransportRequest): boolean {
    return request.idempotent ?? !['POST', 'PATCH'].includes(request.method ?? 'GET');
  }
}

function kindOf(status: number): IntegrationErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}

/** The message in the error body shapes APIs commonly use. */
function messageIn(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as {
    error?: unknown;
    message?: unknown;
    description?: unknown;
    errors?: { message?: unknown }[];
  };
  const candidates = [
    typeof b.error === 'object' && b.error ? (b.error as { message?: unknown }).message : b.error,
    b.message,
    b.description,
    Array.isArray(b.errors) ? b.errors[0]?.message : undefined,
  ];
  return candidates.find((value): value is string => typeof value === 'string' && value.length > 0);
}

/** Header values that carry a credential, and the token inside "Bearer …" or "Basic …". */
function credentialsIn(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /authorization|key|token|secret|password/i.test(name))
    .flatMap(([, value]) => {
      const scheme = /^(?:Bearer|Basic|Token)\s+(.+)$/i.exec(value);
      return scheme ? [value, scheme[1]!] : [value];
    });
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

/** The request's body as it goes on the wire: JSON, a form, or as given. */
function bodyOf(request: TransportRequest): FormData | string | undefined {
  if (request.json !== undefined) return JSON.stringify(request.json);
  if (request.form === undefined) return request.body;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(request.form)) if (value !== undefined) form.set(name, value);
  return form.toString();
}
