// What every GraphQL resolver gets: the shop's data, the clock, and (while a bulk operation runs its
// query window by window) which slice of the outermost connection to return.
import type { GraphQLResolveInfo } from 'graphql';
import type { Store } from './store.ts';

export interface BulkWindow {
  /** True for the connection being exported (windowed); nested connections return everything. */
  outer: boolean;
  offset: number;
  limit: number;
  /** Filled in by the connection: how many items the whole export has. */
  total: number;
  /** The filtered, sorted items, kept between windows so each window is a slice of one list. */
  items: readonly unknown[] | null;
}

export interface BulkOperationRecord {
  id: number;
  query: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: number;
  completedAt: number | null;
}

export interface BulkUserError {
  code: 'INVALID' | 'LIMIT_REACHED' | 'OPERATION_IN_PROGRESS' | null;
  field: string[] | null;
  message: string;
}

export interface BulkRunner {
  run(query: string): { operation: BulkOperationRecord | null; userErrors: BulkUserError[] };
  cancel(id: number): {
    operation: BulkOperationRecord | null;
    userErrors: { field: string[] | null; message: string }[];
  };
  find(id: number): BulkOperationRecord | undefined;
  current(): BulkOperationRecord | undefined;
}

export interface Context {
  store: Store;
  now: () => number;
  bulk: BulkWindow | null;
  operations: BulkRunner;
}

export type Args = Record<string, unknown>;
export type Resolver<S> = (source: S, args: Args, context: Context, info: GraphQLResolveInfo) => unknown;
export type Resolvers<S> = Record<string, Resolver<S>>;
