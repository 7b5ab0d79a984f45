// The books for tests: a fresh set built as the server builds them (every module, on a new database,
// the shop's currency and time zone remembered), the shop's events handed to them as their feed
// would, the ledger module's parts in a test server, and hand-made journal entries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { openModules } from '../../src/platform/runtime.ts';
import type { EventBus } from '../../src/platform/events/outbox.ts';
import type { Modules } from '../../src/platform/kit/modules.ts';
import type pg from 'pg';
import ledgerModule, { type LedgerParts } from '../../src/modules/ledger/index.ts';
import { LedgerService, type BooksShop } from '../../src/modules/ledger/ledger-service.ts';
import { Poster, isBooked, type ToBook } from '../../src/modules/ledger/posting.ts';
import { Stock, type Costing } from '../../src/modules/ledger/stock.ts';
import type { EntryDraft } from '../../src/modules/ledger/rules.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { rememberShop } from './shop.ts';
import type { TestServer } from './server.ts';

export interface Books {
  db: TestDatabase;
  modules: Modules;
  /** The platform's event bus, to add the books' feed to and dispatch into it. */
  events: EventBus;
  ledger: LedgerService;
  /** The shop's events since the last call that the books follow, as their feed hands them over. */
  shopEvents: () => Promise<ToBook[]>;
  close(): Promise<void>;
}

/** Today for the books in tests: after every day the samples are dated, whenever the tests run. */
export const BOOKS_NOW = Date.parse('2026-12-15T12:00:00Z');

/**
 * Fresh books on a database of their own: every module built as `serve` builds them, and the books'
 * service made with its named options over the shop's face, with a fixed clock.
 */
export async function openBooks({
  now = () => new Date(BOOKS_NOW),
}: { now?: () => Date } = {}): Promise<Books> {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopkeep-books-'));
  const config = parseConfig({
    DATABASE_URL: db.url,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_TIMEZONE: 'Europe/London',
  });
  const { kernel, modules, database } = await openModules(config, createLogger('silent'), {
    ownsEmbeddedServer: false,
  });
  await rememberShop(db.pool);
  const ledger = new LedgerService({
    db: db.pool,
    shop: modules.face('shop'),
    logger: createLogger('silent'),
    timezone: config.timezone,
    clock: now,
  });
  return {
    db,
    modules,
    events: kernel.events,
    ledger,
    shopEvents: shopEventsOf(db.pool),
    async close() {
      await database.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Each call answers the events written since the last one that the books follow, in order. */
export function shopEventsOf(pool: pg.Pool): () => Promise<ToBook[]> {
  let seen = 0;
  return async () => {
    const { rows } = await pool.query<{ id: string; type: string; payload: ToBook['payload'] }>(
      'select id, type, payload from events_outbox where id > $1 order by id',
      [seen],
    );
    if (rows.length) seen = Number(rows[rows.length - 1]!.id);
    return rows
      .map((row) => ({ id: Number(row.id), type: row.type, payload: row.payload }))
      .filter(isBooked) as ToBook[];
  };
}

/** The ledger module's own parts in a test server (others get only its face). */
export function ledgerOf(server: TestServer): LedgerParts {
  return server.modules.get(ledgerModule);
}

/**
 * A shop with no records, in pounds and London's time zone: for tests of the books that book by hand
 * (expenses, manual entries) and never ask the shop for an order.
 */
export const emptyShop: BooksShop = {
  info: async () => ({
    name: 'Test',
    domain: 'test.myshopify.com',
    currency: 'GBP',
    timezone: 'Europe/London',
  }),
  orders: async () => new Map(),
  transactions: async () => new Map(),
  refunds: async () => new Map(),
  payouts: async () => new Map(),
  nextPayout: async () => undefined,
  orderTransactions: async () => [],
  stockCounts: async () => [],
  unitCosts: async () => new Map(),
  productSales: async () => [],
};

/** The Poster the books use, over `shop`, in pounds and London's time zone. */
export function poster(shop: BooksShop = emptyShop, costing: Costing = 'fifo'): Poster {
  return new Poster({
    shop,
    basics: async () => ({ currency: 'GBP', timezone: 'Europe/London' }),
    stock: new Stock({ shop, costing }),
  });
}

/** A manual GBP entry keyed (and described) by `key`, with postings as [account, minor units]. */
export const entry = (key: string, date: string, postings: [string, number][]): EntryDraft => ({
  date,
  description: key,
  sourceType: 'manual',
  sourceId: null,
  sourceKey: key,
  currency: 'GBP',
  postings: postings.map(([account, amount]) => ({ account, amount })),
});
