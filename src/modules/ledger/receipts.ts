// Receipt photos and PDF invoices: uploaded in the dashboard or the API, read in a job (offline OCR; the configured
// model reads the photo and the OCR text when there is one), checked (the lines and VAT must make the
// total), and then booked as an expense, or put in the review queue with what is wrong. The same
// photo twice is refused at upload; the same receipt photographed twice goes to review as a duplicate.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ExpenseKinds } from './expense-kind.ts';
import { and, desc, eq, sql } from 'drizzle-orm';
import { transaction } from '../../platform/db/database.ts';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { conflict, describeError, invalid, notFound } from '../../platform/errors.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import { AiUnavailableError, promptTemplate, renderPrompt } from '../ai/index.ts';
import { ACCOUNTS } from './chart.ts';
import { expenseEntry, readExpense, type Expense, type ExpenseInput } from './expenses.ts';
import { checkPixels, receiptType, type ReceiptType, type TextReader } from './ocr.ts';
import type { Posted } from './posting.ts';
import { RECEIPT_SCHEMA, checkReceipt, fieldsFromText, type ReceiptFields } from './receipt-text.ts';
import type { EntryDraft, ReviewDraft } from './rules.ts';
import { ledgerEntries, ledgerReceipts, ledgerReview } from './schema.ts';

const MAX_BYTES = 10 * 1024 * 1024;

export interface Receipt {
  id: number;
  uploadedAt: string;
  uploadedBy: string;
  fileName: string | null;
  status: 'reading' | 'booked' | 'review' | 'failed';
  fields: ReceiptFields | null;
  readBy: string | null;
  problem: string | null;
  entryId: number | null;
  /** For one waiting for review: the kind of expense the receipt suggests (null: the owner chooses). */
  suggestedKind: string | null;
}

/** What reading receipts needs besides the books: a model, the job queue, and OCR. */
export interface ReceiptDependencies {
  ai: Faces['ai'];
  jobs: JobQueue;
  reader: TextReader;
}

type Write = (tx: pg.PoolClient, drafts: EntryDraft[], reviews: ReviewDraft[]) => Promise<Posted>;

export interface ReceiptsOptions extends ReceiptDependencies {
  db: pg.Pool;
  write: Write;
  currency: () => Promise<string>;
  logger: Logger;
}

export class Receipts {
  readonly job: JobDefinition<{ receiptId: number }>;
  private readonly pool: pg.Pool;
  private readonly dependencies: ReceiptDependencies;
  private readonly kinds: ExpenseKinds;
  private readonly write: Write;
  private readonly currency: () => Promise<string>;
  private readonly logger: Logger;

  constructor({ db, write, currency, logger, ...dependencies }: ReceiptsOptions) {
    this.pool = db;
    this.dependencies = dependencies;
    this.kinds = new ExpenseKinds(db);
    this.write = write;
    this.currency = currency;
    this.logger = logger;
    this.job = defineJob<{ receiptId: number }>({
      name: 'ledger.read-receipt',
      handler: async ({ receiptId }) => this.read(receiptId),
    });
  }

  /** Keeps the photo and queues its reading; a file that is not an image, or was sent before, is refused. */
  async upload(image: Buffer, uploadedBy: string, fileName?: string): Promise<Receipt> {
    if (!image.length) throw invalid('the upload is empty: choose a photo or PDF of the receipt');
    if (image.length > MAX_BYTES)
      throw invalid('the file is larger than 10 MB: take the photo again at a lower resolution');
    const type = receiptType(image);
    if (!type)
      throw invalid('this file is not a receipt: upload a photo (PNG, JPEG or WebP) or a PDF invoice');
    if (type !== 'application/pdf') checkPixels(image);
    const sha256 = createHash('sha256').update(image).digest('hex');
    const id = await transaction(this.pool, async (tx) => {
      const db = orm(tx);
      const [added] = await db
        .insert(ledgerReceipts)
        .values({ uploadedBy, fileName: fileName?.slice(0, 200) ?? null, contentType: type, image, sha256 })
        .onConflictDoNothing()
        .returning({ id: ledgerReceipts.id });
      if (!added) {
        const [earlier] = await db
          .select({ id: ledgerReceipts.id, status: ledgerReceipts.status })
          .from(ledgerReceipts)
          .where(eq(ledgerReceipts.sha256, sha256));
        throw conflict(`this photo was uploaded before (receipt ${earlier?.id}, ${earlier?.status})`);
      }
      await this.dependencies.jobs.send(
        this.job,
        { receiptId: added.id },
        { tx, idempotencyKey: `receipt:${added.id}` },
      );
      return added.id;
    });
    return this.get(id);
  }

  /** Reads a receipt and books it or sends it to review. Runs as a job; a second run does nothing. */
  async read(id: number): Promise<void> {
    const [receipt] = await orm(this.pool)
      .select({
        image: ledgerReceipts.image,
        contentType: ledgerReceipts.contentType,
        status: ledgerReceipts.status,
      })
      .from(ledgerReceipts)
      .where(eq(ledgerReceipts.id, id));
    if (!receipt || receipt.status !== 'reading') return;
    const type = receipt.contentType as ReceiptType;
    const pdf = type === 'application/pdf';
    let text: string;
    try {
      text = await this.dependencies.reader.read(receipt.image, type);
    } catch (error) {
      this.logger.warn({ receiptId: id, err: describeError(error) }, 'a receipt could not be read');
      return this.toReview(id, null, null, null, [
        pdf
          ? 'the PDF could not be opened (damaged, or protected by a password)'
          : 'the photo could not be read as an image',
      ]);
    }
    if (text.replace(/\s/g, '').length < 10)
      return this.toReview(id, text, null, null, [
        pdf
          ? 'this PDF has no text in it (a scan?): upload a photo of the receipt instead'
          : 'no text could be read: is it a photo of a receipt, sharp and the right way up?',
      ]);
    const { fields, readBy } = await this.fields(
      text,
      pdf ? undefined : { mimeType: type, data: receipt.image },
    );
    const checked = checkReceipt(fields);
    if (checked.problems.length) return this.toReview(id, text, fields, readBy, checked.problems);
    const account = await this.kinds.of(fields);
    if (!account)
      return this.toReview(
        id,
        text,
        fields,
        readBy,
        ['which kind of expense is it? Choose it, and later receipts from this supplier follow'],
        'receipt_kind_unknown',
      );
    const expense: Expense = {
      date: fields.date!,
      supplier: fields.supplier!,
      description: `receipt ${id}${fields.invoice ? `, invoice ${fields.invoice}` : ''}`,
      amount: checked.total,
      tax: checked.tax,
      account,
      paidFrom: ACCOUNTS.bank,
      reference: fields.invoice,
      reverseCharge: false,
    };
    const draft = { ...expenseEntry(expense, await this.currency(), 'receipt'), sourceId: String(id) };
    const duplicate = await this.sameExpense(expense);
    if (duplicate)
      return this.toReview(
        id,
        text,
        fields,
        readBy,
        [`it looks like entry ${duplicate} already in the books (same day, supplier and amount)`],
        'duplicate_receipt',
      );
    await transaction(
      this.pool,
      async (tx) => {
        const posted = await this.write(tx, [draft], []);
        const db = orm(tx);
        await db
          .update(ledgerReceipts)
          .set({
            status: 'booked',
            text,
            fields,
            readBy,
            entryId: (await entryOf(db, draft.sourceKey)) ?? null,
            problem: posted.entries ? null : 'already in the books',
          })
          .where(eq(ledgerReceipts.id, id));
      },
      { retries: 3 },
    );
  }

  /**
   * A receipt waiting for review, booked as the owner corrected it (the date, supplier, amounts, and
   * the expense account it belongs in); its review item is resolved in the same transaction.
   */
  async book(id: number, input: ExpenseInput, accountTypes: Map<string, string>): Promise<Receipt> {
    const currency = await this.currency();
    const read = readExpense(
      { ...input, description: input.description || `receipt ${id}` },
      currency,
      accountTypes,
    );
    if ('problems' in read) throw invalid(read.problems.join('; '));
    const draft = { ...expenseEntry(read.expense, currency, 'receipt'), sourceId: String(id) };
    await transaction(
      this.pool,
      async (tx) => {
        const db = orm(tx);
        const [receipt] = await db
          .select({ status: ledgerReceipts.status })
          .from(ledgerReceipts)
          .where(eq(ledgerReceipts.id, id))
          .for('update');
        if (!receipt) throw notFound(`no receipt ${id}`);
        if (receipt.status !== 'review')
          throw conflict(`receipt ${id} is ${receipt.status}, not waiting for review`);
        const posted = await this.write(tx, [draft], []);
        if (!posted.entries)
          throw conflict('this expense is already in the books (same day, supplier, amount and reference)');
        await db
          .update(ledgerReceipts)
          .set({ status: 'booked', entryId: (await entryOf(db, draft.sourceKey)) ?? null, problem: null })
          .where(eq(ledgerReceipts.id, id));
        await db
          .update(ledgerReview)
          .set({ status: 'resolved', resolvedAt: sql`now()` })
          .where(and(eq(ledgerReview.sourceKey, `receipt:${id}`), eq(ledgerReview.status, 'open')));
      },
      { retries: 3 },
    );
    return this.get(id);
  }

  /** The model reads the photo and the OCR text when one is configured; the text rules otherwise. */
  private async fields(
    text: string,
    image: { mimeType: string; data: Buffer } | undefined,
  ): Promise<{ fields: ReceiptFields; readBy: string }> {
    try {
      const answer = await this.dependencies.ai.generate<ReceiptFields>({
        feature: 'ledger.receipt',
        ...renderPrompt(promptTemplate('ledger-receipt'), {
          source: image
            ? "The photo's text as OCR read it (it may have errors; the photo decides):"
            : 'The text of the PDF invoice, line by line:',
          text: text.slice(0, 4000),
        }),
        images: image ? [image] : [],
        schema: RECEIPT_SCHEMA,
        offline: () => JSON.stringify(fieldsFromText(text)),
      });
      return {
        fields: answer.value,
        readBy:
          answer.provider === 'offline' ? (image ? 'ocr' : 'pdf text') : `${answer.provider}:${answer.model}`,
      };
    } catch (error) {
      if (!(error instanceof AiUnavailableError)) throw error;
      return { fields: fieldsFromText(text), readBy: image ? 'ocr' : 'pdf text' };
    }
  }

  private async sameExpense(expense: Expense): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ id: string }>(
      `select e.id from ledger_entries e join ledger_postings p on p.entry_id = e.id
       where e.entry_date = $1 and lower(e.description) like lower($2) || '%' and p.account_code = $3 and p.amount_minor = $4
       limit 1`,
      [expense.date, expense.supplier.replace(/[%_\\]/g, '\\$&'), expense.paidFrom, -expense.amount],
    );
    return rows[0] ? Number(rows[0].id) : undefined;
  }

  private async toReview(
    id: number,
    text: string | null,
    fields: ReceiptFields | null,
    readBy: string | null,
    problems: string[],
    kind = 'receipt_doubtful',
  ): Promise<void> {
    const reason = `receipt ${id}${fields?.supplier ? ` (${fields.supplier})` : ''}: ${problems.join('; ')}`;
    await transaction(
      this.pool,
      async (tx) => {
        await this.write(
          tx,
          [],
          [{ sourceKey: `receipt:${id}`, kind, reason, detail: { receiptId: id, fields }, retriable: false }],
        );
        const db = orm(tx);
        const [item] = await db
          .select({ id: ledgerReview.id })
          .from(ledgerReview)
          .where(eq(ledgerReview.sourceKey, `receipt:${id}`));
        await db
          .update(ledgerReceipts)
          .set({
            status: 'review',
            text,
            fields,
            readBy,
            problem: problems.join('; '),
            reviewId: item?.id ?? null,
          })
          .where(eq(ledgerReceipts.id, id));
      },
      { retries: 3 },
    );
  }

  async get(id: number): Promise<Receipt> {
    const [receipt] = await this.list(id);
    if (!receipt) throw notFound(`no receipt ${id}`);
    return receipt;
  }

  /** The latest 100, newest first (or the one asked for). */
  async list(id?: number): Promise<Receipt[]> {
    const rows = await orm(this.pool)
      .select({
        id: ledgerReceipts.id,
        uploadedAt: ledgerReceipts.uploadedAt,
        uploadedBy: ledgerReceipts.uploadedBy,
        fileName: ledgerReceipts.fileName,
        status: ledgerReceipts.status,
        fields: ledgerReceipts.fields,
        readBy: ledgerReceipts.readBy,
        problem: ledgerReceipts.problem,
        entryId: ledgerReceipts.entryId,
      })
      .from(ledgerReceipts)
      .where(id === undefined ? undefined : eq(ledgerReceipts.id, id))
      .orderBy(desc(ledgerReceipts.id))
      .limit(100);
    return Promise.all(
      rows.map(async (row) => ({
        ...row,
        uploadedAt: row.uploadedAt.toISOString(),
        suggestedKind:
          row.status === 'review' && row.fields ? ((await this.kinds.of(row.fields)) ?? null) : null,
      })),
    );
  }
}

/** The journal entry booked under a source key, if there is one. */
async function entryOf(db: Orm, sourceKey: string): Promise<number | undefined> {
  const [entry] = await db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.sourceKey, sourceKey));
  return entry?.id;
}
