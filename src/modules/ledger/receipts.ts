// Receipt photos and PDF invoices: uploaded in the dashboard or the API, read in a job (offline OCR; the configured
// model reads the photo and the OCR text when there is one), checked (the lines and VAT must make the
// total), and then booked as an expense, or put in the review queue with what is wrong. The same
// photo twice is refused at upload; the same receipt photographed twice goes to review as a duplicate.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
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
  private readonly write: Write;
  private readonly currency: () => Promise<string>;
  private readonly logger: Logger;

  constructor({ db, write, currency, logger, ...dependencies }: ReceiptsOptions) {
    this.pool = db;
    this.dependencies = dependencies;
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
      const { rows } = await tx.query<{ id: string }>(
        `insert into ledger_receipts (uploaded_by, file_name, content_type, image, sha256) values ($1, $2, $3, $4, $5)
         on conflict (sha256) do nothing returning id`,
        [uploadedBy, fileName?.slice(0, 200) ?? null, type, image, sha256],
      );
      if (!rows[0]) {
        const { rows: earlier } = await tx.query<{ id: string; status: string }>(
          'select id, status from ledger_receipts where sha256 = $1',
          [sha256],
        );
        throw conflict(`this photo was uploaded before (receipt ${earlier[0]?.id}, ${earlier[0]?.status})`);
      }
      await this.dependencies.jobs.send(
        this.job,
        { receiptId: Number(rows[0].id) },
        { tx, idempotencyKey: `receipt:${rows[0].id}` },
      );
      return Number(rows[0].id);
    });
    return this.get(id);
  }

  /** Reads a receipt and books it or sends it to review. Runs as a job; a second run does nothing. */
  async read(id: number): Promise<void> {
    const { rows } = await this.pool.query<{ image: Buffer; content_type: string; status: string }>(
      'select image, content_type, status from ledger_receipts where id = $1',
      [id],
    );
    const receipt = rows[0];
    if (!receipt || receipt.status !== 'reading') return;
    const type = receipt.content_type as ReceiptType;
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
    const expense: Expense = {
      date: fields.date!,
      supplier: fields.supplier!,
      description: `receipt ${id}${fields.invoice ? `, invoice ${fields.invoice}` : ''}`,
      amount: checked.total,
      tax: checked.tax,
      account: ACCOUNTS.generalExpenses,
      paidFrom: ACCOUNTS.bank,
      reference: fields.invoice,
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
        const { rows: entry } = await tx.query<{ id: string }>(
          'select id from ledger_entries where source_key = $1',
          [draft.sourceKey],
        );
        await tx.query(
          `update ledger_receipts set status = $2, text = $3, fields = $4, read_by = $5, entry_id = $6, problem = $7 where id = $1`,
          [
            id,
            'booked',
            text,
            JSON.stringify(fields),
            readBy,
            entry[0]?.id ?? null,
            posted.entries ? null : 'already in the books',
          ],
        );
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
        const { rows } = await tx.query<{ status: string }>(
          'select status from ledger_receipts where id = $1 for update',
          [id],
        );
        if (!rows[0]) throw notFound(`no receipt ${id}`);
        if (rows[0].status !== 'review')
          throw conflict(`receipt ${id} is ${rows[0].status}, not waiting for review`);
        const posted = await this.write(tx, [draft], []);
        if (!posted.entries)
          throw conflict('this expense is already in the books (same day, supplier, amount and reference)');
        const { rows: entry } = await tx.query<{ id: string }>(
          'select id from ledger_entries where source_key = $1',
          [draft.sourceKey],
        );
        await tx.query(
          `update ledger_receipts set status = 'booked', entry_id = $2, problem = null where id = $1`,
          [id, entry[0]!.id],
        );
        await tx.query(
          `update ledger_review set status = 'resolved', resolved_at = now() where source_key = $1 and status = 'open'`,
          [`receipt:${id}`],
        );
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
        const { rows } = await tx.query<{ id: string }>(
          'select id from ledger_review where source_key = $1',
          [`receipt:${id}`],
        );
        await tx.query(
          `update ledger_receipts set status = 'review', text = $2, fields = $3, read_by = $4, problem = $5, review_id = $6 where id = $1`,
          [
            id,
            text,
            fields ? JSON.stringify(fields) : null,
            readBy,
            problems.join('; '),
            rows[0]?.id ?? null,
          ],
        );
      },
      { retries: 3 },
    );
  }

  async get(id: number): Promise<Receipt> {
    const [receipt] = await this.list(id);
    if (!receipt) throw notFound(`no receipt ${id}`);
    return receipt;
  }

  async list(id?: number): Promise<Receipt[]> {
    const { rows } = await this.pool.query<{
      id: string;
      uploaded_at: Date;
      uploaded_by: string;
      file_name: string | null;
      status: Receipt['status'];
      fields: ReceiptFields | null;
      read_by: string | null;
      problem: string | null;
      entry_id: string | null;
    }>(
      `select id, uploaded_at, uploaded_by, file_name, status, fields, read_by, problem, entry_id from ledger_receipts
       where $1::bigint is null or id = $1 order by id desc limit 100`,
      [id ?? null],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      uploadedAt: row.uploaded_at.toISOString(),
      uploadedBy: row.uploaded_by,
      fileName: row.file_name,
      status: row.status,
      fields: row.fields,
      readBy: row.read_by,
      problem: row.problem,
      entryId: row.entry_id === null ? null : Number(row.entry_id),
    }));
  }
}
