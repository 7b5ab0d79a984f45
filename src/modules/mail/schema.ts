// The mail module's tables (migrations/0001_mail.sql), for the schema test and typed reads.
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true });
const id64 = (name: string) => bigint(name, { mode: 'number' });
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

export const mailFolders = pgTable(
  'mail_folders',
  {
    mailbox: text('mailbox').notNull(),
    path: text('path').notNull(),
    role: text('role').notNull(),
    uidValidity: id64('uid_validity'),
    lastUid: id64('last_uid').notNull().default(0),
    highestModseq: text('highest_modseq'),
    syncedAt: at('synced_at'),
  },
  (t) => [primaryKey({ columns: [t.mailbox, t.path] })],
);

export const mailHealth = pgTable('mail_health', {
  mailbox: text('mailbox').primaryKey(),
  connected: boolean('connected').notNull().default(false),
  capabilities: text('capabilities').array().notNull().default([]),
  lastSyncAt: at('last_sync_at'),
  lastError: text('last_error'),
  lastErrorAt: at('last_error_at'),
  errors: integer('errors').notNull().default(0),
  reconnects: integer('reconnects').notNull().default(0),
});

export const mailThreads = pgTable('mail_threads', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  subject: text('subject').notNull(),
  counterpart: text('counterpart').notNull().default(''),
  startedAt: at('started_at').notNull(),
  lastMessageAt: at('last_message_at').notNull(),
});

export const mailMessages = pgTable('mail_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  mailbox: text('mailbox').notNull(),
  folder: text('folder').notNull(),
  uidValidity: id64('uid_validity'),
  uid: id64('uid'),
  direction: text('direction').notNull(),
  messageId: text('message_id').notNull(),
  inReplyTo: text('in_reply_to'),
  refs: text('refs').array().notNull().default([]),
  threadId: id64('thread_id').references(() => mailThreads.id),
  fromAddress: text('from_address').notNull().default(''),
  fromName: text('from_name').notNull().default(''),
  toAddresses: text('to_addresses').array().notNull().default([]),
  subject: text('subject').notNull().default(''),
  sentAt: at('sent_at'),
  receivedAt: at('received_at').notNull().defaultNow(),
  raw: bytea('raw').notNull(),
  size: integer('size').notNull(),
  headers: jsonb('headers').notNull().default({}),
  body: text('body').notNull().default(''),
  fresh: text('fresh').notNull().default(''),
  language: text('language'),
  parseError: text('parse_error'),
  attachments: jsonb('attachments').notNull().default([]),
  dmarc: text('dmarc'),
  category: text('category'),
  reason: text('reason'),
  classifiedBy: text('classified_by'),
  orderName: text('order_name'),
  customerId: id64('customer_id'),
  needsAction: boolean('needs_action').notNull().default(false),
});

export const mailReplies = pgTable('mail_replies', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: id64('message_id')
    .notNull()
    .unique()
    .references(() => mailMessages.id),
  status: text('status').notNull(),
  text: text('text').notNull().default(''),
  reason: text('reason').notNull().default(''),
  verify: boolean('verify').notNull().default(false),
  automatic: boolean('automatic').notNull().default(false),
  approvalId: uuid('approval_id'),
  qaReviewId: uuid('qa_review_id'),
  outgoingMessageId: text('outgoing_message_id'),
  attempts: integer('attempts').notNull().default(0),
  sentAt: at('sent_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const mailAutoReplies = pgTable(
  'mail_auto_replies',
  { address: text('address').notNull(), day: date('day').notNull() },
  (t) => [primaryKey({ columns: [t.address, t.day] })],
);

export const mailExamples = pgTable('mail_examples', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  question: text('question').notNull(),
  answer: text('answer').notNull(),
  language: text('language'),
  source: text('source').notNull(),
  sourceKey: text('source_key').notNull().unique(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const mailStyle = pgTable('mail_style', {
  id: integer('id').primaryKey().default(1),
  greeting: text('greeting').notNull(),
  signOff: text('sign_off').notNull(),
  typicalWords: integer('typical_words').notNull(),
  formality: text('formality').notNull(),
  languages: text('languages').array().notNull(),
  editedByOwner: boolean('edited_by_owner').notNull().default(false),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const mailFaq = pgTable('mail_faq', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  question: text('question').notNull(),
  answer: text('answer').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const mailSuppressions = pgTable('mail_suppressions', {
  address: text('address').primaryKey(),
  reason: text('reason').notNull(),
  detail: text('detail').notNull().default(''),
  createdAt: at('created_at').notNull().defaultNow(),
});
