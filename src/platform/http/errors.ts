// The one mapping from errors to HTTP: `{"error":{"code","message"}}`, the right 4xx, and nothing
// internal in a 5xx. A database that cannot be reached is a 503 with a message the owner can act on.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, STATUS_BY_KIND, type ErrorKind } from '../errors.ts';

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'unprocessable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

/** A lost or refused database connection, also when wrapped (Drizzle puts the driver's error in `cause`). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let current = error as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    current && depth < 5;
    depth += 1
  ) {
    if (current.code && CONNECTION_CODES.has(current.code)) return true;
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        current.message ?? '',
      )
    ) {
      return true;
    }
    current = current.cause as typeof current;
  }
  return false;
}

export interface ErrorBody {
  error: { code: ErrorKind | 'internal'; message: string };
}

/** Turns any thrown value into a status and the public error body. */
export function toErrorResponse(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (error instanceof AppError) {
    return {
      status: STATUS_BY_KIND[error.kind],
      body: { error: { code: error.kind, message: error.message } },
      headers: error.headers,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      body: {
        error: {
          code: 'unavailable',
          message:
            'the database is not reachable; shopkeep keeps retrying. Run `shopkeep doctor` if this lasts.',
        },
      },
      headers: { 'retry-after': '5' },
    };
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  const kind = KIND_BY_STATUS[status];
  if (status < 500 && kind) {
    return { status, body: { error: { code: kind, message: publicMessage(fastifyError) } }, headers: {} };
  }
  if (status >= 400 && status < 500) {
    return {
      status: 400,
      body: { error: { code: 'invalid_request', message: publicMessage(fastifyError) } },
      headers: {},
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'something went wrong on our side; it has been logged' } },
    headers: {},
  };
}

function publicMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_VALIDATION' && error.validation) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'body';
    if (first?.keyword === 'additionalProperties') {
      return `${where} has an unknown field "${String((first.params as { additionalProperty?: string }).additionalProperty)}"`;
    }
    if (first?.keyword === 'required') {
      return `${where} is missing the field "${String((first.params as { missingProperty?: string }).missingProperty)}"`;
    }
    const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : where;
    return `${path} ${first?.message ?? 'is invalid'}`;
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'the request body is too large';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'send JSON (content-type: application/json)';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'the JSON body is empty';
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return 'the body is not valid JSON';
  return error.message.replace(/^FST_\w+:?\s*/, '').slice(0, 200) || 'bad request';
}

export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

export function sendError(
  reply: FastifyReply,
  status: number,
  body: ErrorBody,
  headers: Record<string, string>,
): FastifyReply {
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body);
}
