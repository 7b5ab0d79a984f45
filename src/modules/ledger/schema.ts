// The ledger's tables (migrations/), for typed queries and the schema test.
import { bytea } from '../../platform/db/orm.ts';
import type { ReceiptFields } from './receipt-text.ts';
import {
  bigint,
  bigserial,
  boolean,
  date,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const id = (name: string) => bigint(name, { mode: 'number' });
const time = (name: string) => timestamp(name, { withTimezone: true });

export const ledgerAccounts = pgTable('ledger_accounts', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  type: text('type').$type<AccountType>().notNull(),
  system: boolean('system').notNull().default(false),
  createdAt: time('created_at').notNull().defaultNow(),
});

export type AccountType = 'asset' | 'liability' | 'equity' | 'income' | 'expense';

export const ledgerEntries = pgTable('ledger_entries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  entryDate: date('entry_date').notNull(),
  description: text('description').notNull(),
  sourceType: text('source_type').notNull(),
  sourceId: text('source_id'),
  sourceKey: text('source_key').notNull().unique(),
  reverses: id('reverses'),
  createdAt: time('created_at').notNull().defaultNow(),
});

export const ledgerPostings = pgTable('ledger_postings', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  entryId: id('entry_id').notNull(),
  accountCode: text('account_code').notNull(),
  amountMinor: id('amount_minor').notNull(),
  currency: text('currency').notNull(),
  jurisdiction: text('jurisdiction'),
  memo: text('memo'),
});

export const ledgerPeriods = pgTable('ledger_periods', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  startsOn: date('starts_on').notNull(),
  endsOn: date('ends_on').notNull().unique(),
  closedAt: time('closed_at').notNull().defaultNow(),
  closedBy: text('closed_by').notNull(),
  entries: integer('entries').notNull(),
  hash: text('hash').notNull(),
});

export const ledgerReview = pgTable('ledger_review', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  sourceKey: text('source_key').notNull().unique(),
  kind: text('kind').notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
  reason: text('reason').notNull(),
  retriable: boolean('retriable').notNull().default(false),
  status: text('status').$type<'open' | 'resolved' | 'dismissed'>().notNull().default('open'),
  createdAt: time('created_at').notNull().defaultNow(),
  resolvedAt: time('resolved_at'),
});

export const ledgerDayTotals = pgTable(
  'ledger_day_totals',
  {
    day: date('day').notNull(),
    accountCode: text('account_code').notNull(),
    currency: text('currency').notNull(),
    jurisdiction: text('jurisdiction').notNull(),
    sourceType: text('source_type').notNull(),
    total: id('total').notNull(),
    debits: id('debits').notNull(),
    credits: id('credits').notNull(),
  },
  (table) => [
    primaryKey({
      columns: [table.day, table.accountCode, table.currency, table.jurisdiction, table.sourceType],
    }),
  ],
);

export const ledgerReceipts = pgTable('ledger_receipts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  uploadedAt: time('uploaded_at').notNull().defaultNow(),
  uploadedBy: text('uploaded_by').notNull(),
  fileName: text('file_name'),
  contentType: text('content_type').notNull(),
  image: bytea('image').notNull(),
  sha256: text('sha256').notNull().unique(),
  status: text('status').$type<'reading' | 'booked' | 'review' | 'failed'>().notNull().default('reading'),
  text: text('text'),
  fields: jsonb('fields').$type<ReceiptFields>(),
  readBy: text('read_by'),
  problem: text('problem'),
  entryId: id('entry_id'),
  reviewId: id('review_id'),
});

export const ledgerLots = pgTable('ledger_lots', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  variantId: id('variant_id').notNull(),
  receivedOn: date('received_on').notNull(),
  quantity: integer('quantity').notNull(),
  leftQuantity: integer('left_quantity').notNull(),
  unitCostMicros: id('unit_cost_micros').notNull(),
  expiresOn: date('expires_on'),
  supplier: text('supplier'),
  sourceKey: text('source_key').notNull().unique(),
  expiryAlertedAt: time('expiry_alerted_at'),
  createdAt: time('created_at').notNull().defaultNow(),
});

export const ledgerStockMoves = pgTable('ledger_stock_moves', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  variantId: id('variant_id').notNull(),
  lotId: id('lot_id'),
  movedOn: date('moved_on').notNull(),
  quantity: integer('quantity').notNull(),
  costMinor: id('cost_minor').notNull(),
  reason: text('reason').$type<'sale' | 'return' | 'cancel' | 'cover'>().notNull(),
  orderId: id('order_id'),
  orderLineId: id('order_line_id'),
  entryId: id('entry_id'),
});

export const ledgerAkauntingPushes = pgTable('ledger_akaunting_pushes', {
  number: text('number').primaryKey(),
  day: date('day').notNull(),
  line: text('line').$type<'sales' | 'expenses'>().notNull(),
  amountMinor: id('amount_minor').notNull(),
  akauntingId: id('akaunting_id').notNull(),
  pushedAt: time('pushed_at').notNull().defaultNow(),
});

export const ledgerFxRates = pgTable(
  'ledger_fx_rates',
  {
    currency: text('currency').notNull(),
    day: date('day').notNull(),
    rate: numeric('rate', { precision: 20, scale: 10 }).notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.currency, table.day] })],
);

export const ledgerOpeningStock = pgTable('ledger_opening_stock', {
  id: boolean('id').primaryKey().default(true),
  takenOn: date('taken_on').notNull(),
  variants: integer('variants').notNull(),
  units: integer('units').notNull(),
  valueMinor: id('value_minor').notNull(),
  takenAt: time('taken_at').notNull().defaultNow(),
});

export const ledgerStockShort = pgTable('ledger_stock_short', {
  variantId: id('variant_id').primaryKey(),
  open: integer('open').notNull(),
});

export const ledgerJournalDocuments = pgTable('ledger_journal_documents', {
  entryId: id('entry_id').primaryKey(),
  name: text('name').notNull(),
  contentType: text('content_type').notNull(),
  content: bytea('content').notNull(),
});

export const ledgerRecurringJournals = pgTable('ledger_recurring_journals', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  memo: text('memo').notNull(),
  lines: jsonb('lines').$type<{ account: string; amount: number }[]>().notNull(),
  dayOfMonth: integer('day_of_month').notNull(),
  startsOn: date('starts_on').notNull(),
  endsOn: date('ends_on'),
  stoppedAt: time('stopped_at'),
  createdBy: text('created_by').notNull(),
  createdAt: time('created_at').notNull().defaultNow(),
});

export const ledgerVatReturns = pgTable('ledger_vat_returns', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  fromDay: date('from_day').notNull(),
  toDay: date('to_day').notNull(),
  currency: text('currency').notNull(),
  scheme: text('scheme').$type<'standard' | 'flat-rate'>().notNull(),
  boxes: jsonb('boxes').$type<Record<string, number>>().notNull(),
  filedAt: time('filed_at').notNull().defaultNow(),
  filedBy: text('filed_by').notNull(),
  periodKey: text('period_key').unique(),
  receipt: text('receipt'),
});

export const ledgerBankStatements = pgTable('ledger_bank_statements', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountCode: text('account_code').notNull(),
  name: text('name').notNull(),
  format: text('format').$type<'csv' | 'ofx' | 'camt053'>().notNull(),
  lines: integer('lines').notNull(),
  importedAt: time('imported_at').notNull().defaultNow(),
  importedBy: text('imported_by').notNull(),
});

export const ledgerBankLines = pgTable('ledger_bank_lines', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  statementId: id('statement_id').notNull(),
  accountCode: text('account_code').notNull(),
  day: date('day').notNull(),
  amountMinor: id('amount_minor').notNull(),
  description: text('description').notNull(),
  reference: text('reference'),
  fingerprint: text('fingerprint').notNull().unique(),
  status: text('status').$type<'open' | 'matched' | 'ignored'>().notNull().default('open'),
  entryId: id('entry_id').unique(),
  matchedBy: text('matched_by'),
  matchedAt: time('matched_at'),
});

export const ledgerBankCsvMappings = pgTable('ledger_bank_csv_mappings', {
  header: text('header').primaryKey(),
  mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull(),
  savedAt: time('saved_at').notNull().defaultNow(),
});

export const ledgerYearEnds = pgTable('ledger_year_ends', {
  endsOn: date('ends_on').primaryKey(),
  profitMinor: id('profit_minor').notNull(),
  currency: text('currency').notNull(),
  closedBy: text('closed_by').notNull(),
  closedAt: time('closed_at').notNull().defaultNow(),
});

export const ledgerBills = pgTable('ledger_bills', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  supplier: text('supplier').notNull(),
  reference: text('reference').notNull(),
  billDate: date('bill_date').notNull(),
  dueOn: date('due_on').notNull(),
  grossMinor: id('gross_minor').notNull(),
  entryId: id('entry_id').notNull(),
  paidOn: date('paid_on'),
  paidEntryId: id('paid_entry_id'),
});
