// What every route shares in its schema: the error body, and the answers a route may give besides its
// own (any 4xx and 5xx in the error shape). One TypeBox schema per route gives the validation, the
// request's and reply's TypeScript types (app.withTypeProvider<TypeBoxTypeProvider>()) and the OpenAPI
// description at /api/docs.
import { Type, type TSchema } from 'typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        description: 'invalid_request, unauthenticated, forbidden, not_found, conflict, …',
      }),
      message: Type.String({ description: 'what went wrong, and what to do, in words' }),
    }),
  },
  { description: 'what went wrong' },
);

/** The error answers every route may give. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/** A route's answers: its own by status, and the errors. */
export function responses<R extends Record<number, TSchema>>(own: R): R & typeof errorResponses {
  return { ...own, ...errorResponses };
}

/** A moment as JSON writes a Date: an ISO 8601 string in UTC. Routes answer Dates; the docs say string. */
export const Timestamp = (description?: string) =>
  Type.Unsafe<Date>(Type.String({ format: 'date-time', ...(description ? { description } : {}) }));

/** The value, or null (a field that is empty until something happens). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** No body (204). */
/**
 * A Shopify id (an order's, a product's, a variant's): a whole number, the same type in every request
 * and response, as Shopify's REST API gives them.
 */
export const ShopifyId = (description?: string) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });

export const NoContent = Type.Null({ description: 'no body' });

/** A row's id in a path or a query string, where everything arrives as text: digits, read with Number(). */
export const RowId = (description?: string) =>
  Type.String({ pattern: '^[0-9]{1,16}$', ...(description ? { description } : {}) });

/** The params of a `/:id` route over rows with whole-number ids. */
export const IdParams = Type.Object({ id: RowId() });
