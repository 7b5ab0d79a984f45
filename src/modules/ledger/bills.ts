// Supplier bills: an invoice with several lines (each to an expense account, its VAT to reclaim),
// carriage, and a day it falls due; owed to the supplier (Owed to suppliers) until it is paid from
// the bank or a card. Aged payables say what is owed and how late. Goods for resale go through
// goods received (their stock lots), paid from Owed to suppliers when the bill comes later.
import { transaction } from '../../platform/db/database.ts';
import { isDate } from '../../platform/dates.ts';
import { conflict, invalid, notFound, unprocessable } from '../../platform/errors.ts';
import { ACCOUNTS } from './chart.ts';
import type { BookParts } from './journals.ts';
import type { EntryDraft } from './rules.ts';

export interface BillLineInput {
  account: string;
  /** Minor units before VAT. */
  net: number;
  /** Minor units of VAT on the line, reclaimable. */
  vat?: number;
  description?: string;
}

export interface BillInput {
  supplier: string;
  reference: string;
  date: string;
  dueOn: string;
  lines: BillLineInput[];
  /** Delivery charged on the bill: to Postage and couriers, with its VAT. */
  carriage?: { net: number; vat?: number };
}

export interface Bill {
  id: number;
  supplier: string;
  reference: string;
  date: string;
  dueOn: string;
  gross: number;
  paidOn: string | null;
}

export interface AgedPayables {
  at: string;
  currency: string;
  /** Owed not yet due, then 1–30, 31–60 and over 60 days overdue. */
  bands: [number, number, number, number];
  total: number;
  bills: (Bill & { daysOverdue: number })[];
}

const DAY = 86_400_000;

export class Bills {
  constructor(private readonly options: BookParts) {}

  async add(input: BillInput): Promise<Bill> {
    const problems: string[] = [];
    const supplier = input.supplier.trim();
    const reference = input.reference.trim();
    if (!supplier) problems.push('the supplier is named');
    if (!reference) problems.push("the bill's number (reference) is given");
    if (!isDate(input.date)) problems.push(`date "${input.date}" is not a date (YYYY-MM-DD)`);
    if (!isDate(input.dueOn) || input.dueOn < input.date)
      problems.push(`dueOn "${input.dueOn}" is a date on or after the bill's date`);
    const types = await this.options.chart.types();
    const lines = [...input.lines];
    if (input.carriage)
      lines.push({ account: 'Expenses:Postage', ...input.carriage, description: 'carriage' });
    if (!lines.length) problems.push('a bill has at least one line');
    lines.forEach((line, index) => {
      if (types.get(line.account) !== 'expense')
        problems.push(
          `line ${index + 1}: "${line.account}" is not an expense account (goods for resale go in as goods received)`,
        );
      if (!Number.isInteger(line.net) || line.net <= 0)
        problems.push(`line ${index + 1}: net is whole pence, more than 0`);
      if (line.vat !== undefined && (!Number.isInteger(line.vat) || line.vat < 0))
        problems.push(`line ${index + 1}: VAT is whole pence, 0 or more`);
    });
    if (problems.length) throw invalid(problems.join('; '));
    const currency = await this.options.currency();
    const vat = lines.reduce((sum, line) => sum + (line.vat ?? 0), 0);
    const gross = lines.reduce((sum, line) => sum + line.net, 0) + vat;
    const draft: EntryDraft = {
      date: input.date,
      description: `Bill ${reference} from ${supplier}`,
      sourceType: 'manual',
      sourceId: reference,
      sourceKey: `bill:${supplier.toLowerCase()}:${reference}`,
      currency,
      postings: [
        ...lines.map((line) => ({ account: line.account, amount: line.net, memo: line.description ?? null })),
        ...(vat ? [{ account: ACCOUNTS.vatReclaimable, amount: vat }] : []),
        { account: ACCOUNTS.suppliers, amount: -gross },
      ],
    };
    return transaction(this.options.db, async (tx) => {
      const posted = await this.options.poster.write(tx, [draft], []);
      if (!posted.entries) throw conflict(`bill ${reference} from ${supplier} is already in the books`);
      const { rows } = await tx.query<{ id: string }>(
        `insert into ledger_bills (supplier, reference, bill_date, due_on, gross_minor, entry_id)
         select $1, $2, $3, $4, $5, id from ledger_entries where source_key = $6 returning id`,
        [supplier, reference, input.date, input.dueOn, gross, draft.sourceKey],
      );
      return {
        id: Number(rows[0]!.id),
        supplier,
        reference,
        date: input.date,
        dueOn: input.dueOn,
        gross,
        paidOn: null,
      };
    });
  }

  /** Pays a bill in full from the bank or a card. */
  async pay(id: number, date: string, from: string = ACCOUNTS.bank): Promise<Bill> {
    if (!isDate(date)) throw invalid(`date "${date}" is not a date (YYYY-MM-DD)`);
    const type = (await this.options.chart.types()).get(from);
    if (type !== 'asset' && type !== 'liability')
      throw unprocessable(`"${from}" is not a bank or card account`);
    const bill = (await this.list()).find((each) => each.id === id);
    if (!bill) throw notFound(`there is no bill ${id}`);
    if (bill.paidOn) throw conflict(`bill ${bill.reference} was paid on ${bill.paidOn}`);
    const currency = await this.options.currency();
    const sourceKey = `bill-paid:${id}`;
    return transaction(this.options.db, async (tx) => {
      await this.options.poster.write(
        tx,
        [
          {
            date,
            description: `Paid bill ${bill.reference} to ${bill.supplier}`,
            sourceType: 'manual',
            sourceId: bill.reference,
            sourceKey,
            currency,
            postings: [
              { account: ACCOUNTS.suppliers, amount: bill.gross },
              { account: from, amount: -bill.gross },
            ],
          },
        ],
        [],
      );
      await tx.query(
        `update ledger_bills set paid_on = $2, paid_entry_id = (select id from ledger_entries where source_key = $3)
         where id = $1 and paid_on is null`,
        [id, date, sourceKey],
      );
      return { ...bill, paidOn: date };
    });
  }

  async list(): Promise<Bill[]> {
    const { rows } = await this.options.db.query<{
      id: string;
      supplier: string;
      reference: string;
      bill_date: string;
      due_on: string;
      gross_minor: string;
      paid_on: string | null;
    }>(
      `select id, supplier, reference, to_char(bill_date, 'YYYY-MM-DD') as bill_date, to_char(due_on, 'YYYY-MM-DD') as due_on,
         gross_minor, to_char(paid_on, 'YYYY-MM-DD') as paid_on
       from ledger_bills order by due_on, id`,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      supplier: row.supplier,
      reference: row.reference,
      date: row.bill_date,
      dueOn: row.due_on,
      gross: Number(row.gross_minor),
      paidOn: row.paid_on,
    }));
  }

  /** What is owed to suppliers at the end of `at`: not yet due, then how late. */
  async aged(at: string): Promise<AgedPayables> {
    const open = (await this.list()).filter((bill) => bill.date <= at && (!bill.paidOn || bill.paidOn > at));
    const bands: [number, number, number, number] = [0, 0, 0, 0];
    const bills = open.map((bill) => {
      const daysOverdue = Math.max(0, Math.round((Date.parse(at) - Date.parse(bill.dueOn)) / DAY));
      bands[daysOverdue === 0 ? 0 : daysOverdue <= 30 ? 1 : daysOverdue <= 60 ? 2 : 3] += bill.gross;
      return { ...bill, daysOverdue };
    });
    return {
      at,
      currency: await this.options.currency(),
      bands,
      total: bills.reduce((sum, bill) => sum + bill.gross, 0),
      bills,
    };
  }
}
