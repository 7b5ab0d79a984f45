// One error type with a closed set of kinds; the HTTP layer maps each kind to a status code.
export type ErrorKind =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
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

/**
 * An error's message fit for logs and the dashboard. Drizzle's query errors carry the query's
 * parameters in their message (hashes, sealed secrets); only the driver's own message is kept.
 */
export function describeError(error: unknown): string {
  const wrapped = error as { name?: string; cause?: unknown; message?: string } | undefined;
  if (wrapped?.name === 'DrizzleQueryError' && wrapped.cause instanceof Error)
    return `database: ${wrapped.cause.message}`;
  return error instanceof Error ? error.message : String(error);
}
