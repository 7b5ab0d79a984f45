// The chart of accounts as the owner keeps it: the accounts, one added (its type from the first word
// of its code), one renamed (its code, which reports and exports use, stays), and each code's type.
// The default chart and the accounts a rule names are put in by posting (posting.ts).
import type pg from 'pg';
import { asc, eq } from 'drizzle-orm';
import { orm, type Orm } from '../../platform/db/orm.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import { accountCodeProblem } from '../../platform/documents/journal-text.ts';
import { accountType } from './chart.ts';
import { ledgerAccounts, type AccountType } from './schema.ts';

export interface Account {
  code: string;
  name: string;
  type: AccountType;
  system: boolean;
}

const CODE = /^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Za-z0-9][A-Za-z0-9 &/-]*)+$/;

const columns = {
  code: ledgerAccounts.code,
  name: ledgerAccounts.name,
  type: ledgerAccounts.type,
  system: ledgerAccounts.system,
};

export class ChartOfAccounts {
  private readonly db: Orm;

  constructor(options: { db: pg.Pool }) {
    this.db = orm(options.db);
  }

  list(): Promise<Account[]> {
    return this.db.select(columns).from(ledgerAccounts).orderBy(asc(ledgerAccounts.code));
  }

  async add(code: string, name: string): Promise<Account> {
    let type: AccountType;
    try {
      type = accountType(code);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (!CODE.test(code))
      throw invalid(
        'an account code is words separated by ":" (letters, digits, spaces, & / -), e.g. "Expenses:Packaging"',
      );
    // The code is the hledger account name as it is: refuse one the journal would have to change.
    const problem = accountCodeProblem(code);
    if (problem) throw invalid(`${problem}: "${code}"`);
    const [added] = await this.db
      .insert(ledgerAccounts)
      .values({ code, name, type })
      .onConflictDoNothing()
      .returning(columns);
    if (!added) throw conflict(`the chart already has ${code}`);
    return added;
  }

  async rename(code: string, name: string): Promise<Account> {
    const [renamed] = await this.db
      .update(ledgerAccounts)
      .set({ name })
      .where(eq(ledgerAccounts.code, code))
      .returning(columns);
    if (!renamed) throw notFound(`the chart has no account ${code}`);
    return renamed;
  }

  /** Each account's type by its code (what an expense may be booked to, or paid from). */
  async types(): Promise<Map<string, AccountType>> {
    const rows = await this.db
      .select({ code: ledgerAccounts.code, type: ledgerAccounts.type })
      .from(ledgerAccounts);
    return new Map(rows.map((row) => [row.code, row.type]));
  }
}
