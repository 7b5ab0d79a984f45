// One error type with a closed set of kinds; the HTTP layer maps each kind to a status code.
import { DrizzleQueryError } from 'drizzle-orm/errors';
export type ErrorKind =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (message: string) => new AppError('invalid_request', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
/** Well-formed, but the books cannot take it as it is (a journal that does not balance, a closed period). */
export const unprocessable = (message: string) => new AppError('unprocessable', message);

/**
 * An error's message fit for logs and the dashboard. Drizzle's query errors carry the query's
 * parameters in their message (hashes, sealed secrets); only the driver's own message is kept.
 */
export function describeError(error: unknown): string {
  if (error instanceof DrizzleQueryError)
    return `database: ${error.cause instanceof Error ? error.cause.message : 'a query failed'}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error as a log may record it: a failed query as the driver's message, code and SQL, never its
 * parameters (hashes, tokens, what a stranger typed); anything else as it is.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error;
  const cause = error.cause as (Error & { code?: string }) | undefined;
  return {
    type: 'DrizzleQueryError',
    message: cause?.message ?? 'a query failed',
    code: cause?.code,
    query: error.query,
    stack: cause?.stack,
  };
}

/** A setting is missing or wrong: start-up stops with a message naming the variable (exit 78). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}
