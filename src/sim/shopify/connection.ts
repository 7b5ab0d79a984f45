// Relay connections as Shopify pages them. A cursor is opaque to clients but, like Shopify's, it is
// base64 JSON of the last item's id and sort value, so paging by UPDATED_AT stays correct while orders
// change between pages (a changed order moves to the end and is seen again, never skipped).
import { GraphQLError } from 'graphql';

export const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

type SortValue = number | string;

export interface Ordering<T> {
  id: (item: T) => number;
  /** The sort key's value; the id breaks ties. */
  value: (item: T) => SortValue;
}

interface Cursor {
  last_id: number;
  last_value: SortValue;
}

const encode = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64');

function decode(text: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Partial<Cursor>;
    if (
      typeof cursor.last_id === 'number' &&
      (typeof cursor.last_value === 'number' || typeof cursor.last_value === 'string')
    )
      return cursor as Cursor;
  } catch {
    // falls through to the error below
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
    extensions: { code: 'BAD_REQUEST' },
  });
}

export function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } });
}

/**
 * Checks the page size as Shopify does: one of first/last is required and at most 250. A bulk
 * operation has no page size: it reads everything.
 */
export function pageSize(args: PageArgs, bulk: boolean): void {
  if (bulk) return;
  if (args.first == null && args.last == null) throw badRequest('you must provide one of first or last');
  for (const [name, size] of [
    ['first', args.first],
    ['last', args.last],
  ] as const) {
    if (size == null) continue;
    if (size < 0) throw badRequest(`${name} must be a non-negative integer`);
    // Wording not verified against Shopify; the limit itself is documented.
    if (size > MAX_PAGE_SIZE)
      throw badRequest(`The ${name} argument must be less than or equal to ${MAX_PAGE_SIZE}`);
  }
}

export class Page<T> {
  constructor(
    readonly nodes: T[],
    private readonly ordering: Ordering<T>,
    private readonly hasNext: boolean,
    private readonly hasPrevious: boolean,
  ) {}

  /** Built only when asked for: a bulk export never needs a cursor. */
  get edges(): { cursor: string; node: T }[] {
    return this.nodes.map((node) => ({ cursor: this.cursorOf(node), node }));
  }

  get pageInfo(): {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  } {
    const first = this.nodes[0];
    const last = this.nodes[this.nodes.length - 1];
    return {
      hasNextPage: this.hasNext,
      hasPreviousPage: this.hasPrevious,
      startCursor: first === undefined ? null : this.cursorOf(first),
      endCursor: last === undefined ? null : this.cursorOf(last),
    };
  }

  private cursorOf(node: T): string {
    return encode({ last_id: this.ordering.id(node), last_value: this.ordering.value(node) });
  }
}

function compareTo<T>(ordering: Ordering<T>, item: T, cursor: Cursor): number {
  const value = ordering.value(item);
  if (value < cursor.last_value) return -1;
  if (value > cursor.last_value) return 1;
  return Math.sign(ordering.id(item) - cursor.last_id);
}

/** The first index whose item sorts after (or at, when `inclusive`) the cursor, by binary search. */
function position<T>(
  items: readonly T[],
  ordering: Ordering<T>,
  cursor: Cursor,
  reverse: boolean,
  inclusive: boolean,
): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const order = compareTo(ordering, items[middle]!, cursor) * (reverse ? -1 : 1);
    if (order > 0 || (inclusive && order === 0)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** One page of items already sorted ascending by (value, id). */
export function paginate<T>(
  sorted: readonly T[],
  args: PageArgs,
  ordering: Ordering<T>,
  bulk = false,
): Page<T> {
  pageSize(args, bulk);
  const reverse = args.reverse === true;
  const items = reverse ? [...sorted].reverse() : sorted;
  let start = 0;
  let end = items.length;
  if (args.after) start = position(items, ordering, decode(args.after), reverse, false);
  if (args.before) end = Math.max(start, position(items, ordering, decode(args.before), reverse, true));
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  return new Page(items.slice(start, end), ordering, end < items.length, start > 0);
}

const BY_ID: Ordering<{ id: number }> = { id: (item) => item.id, value: (item) => item.id };

/** Natural order: ids rise with creation. One shared ordering, since connections are resolved often. */
export const byId = <T extends { id: number }>(): Ordering<T> => BY_ID as Ordering<T>;
