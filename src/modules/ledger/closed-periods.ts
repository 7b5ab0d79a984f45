// Closed periods: the books closed up to a day, each period sealed with a hash over the previous seal
// and every entry dated in it, so an entry changed afterwards (by hand, in the database) shows. The
// database refuses anything dated in a closed period (migrations/); posting moves late news to the
// first open day.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { asc, desc, min } from 'drizzle-orm';
import { transaction } from '../../platform/db/database.ts';
import { orm } from '../../platform/db/orm.ts';
import { addDays, isDate } from '../../platform/dates.ts';
import { conflict, invalid } from '../../platform/errors.ts';
import { ledgerEntries, ledgerPeriods } from './schema.ts';

export interface Period {
  startsOn: string;
  endsOn: string;
  closedAt: string;
  closedBy: string;
  entries: number;
  hash: string;
}

const columns = {
  startsOn: ledgerPeriods.startsOn,
  endsOn: ledgerPeriods.endsOn,
  closedAt: ledgerPeriods.closedAt,
  closedBy: ledgerPeriods.closedBy,
  entries: ledgerPeriods.entries,
  hash: ledgerPeriods.hash,
};

const shown = ({ closedAt, ...period }: { closedAt: Date } & Omit<Period, 'closedAt'>): Period => ({
  ...period,
  closedAt: closedAt.toISOString(),
});

export class ClosedPeriods {
  private readonly pool: pg.Pool;

  constructor(options: { db: pg.Pool }) {
    this.pool = options.db;
  }

  /** Oldest first. */
  async list(): Promise<Period[]> {
    const periods = await orm(this.pool)
      .select(columns)
      .from(ledgerPeriods)
      .orderBy(asc(ledgerPeriods.endsOn));
    return periods.map(shown);
  }

  /**
   * Closes the books up to a day before `today`: no entry can be added on or before it, and the period
   * is sealed. It starts the day after the last one closed, or on the books' first day.
   */
  async close(endsOn: string, closedBy: string, today: string): Promise<Period> {
    if (!isDate(endsOn)) throw invalid(`"${endsOn}" is not a date (YYYY-MM-DD)`);
    if (endsOn >= today) throw invalid(`only days before today (${today}) can be closed`);
    return transaction(this.pool, async (tx) => {
      const db = orm(tx);
      await tx.query('lock table ledger_periods in exclusive mode');
      const [previous] = await db
        .select({ endsOn: ledgerPeriods.endsOn, hash: ledgerPeriods.hash })
        .from(ledgerPeriods)
        .orderBy(desc(ledgerPeriods.endsOn))
        .limit(1);
      if (previous && endsOn <= previous.endsOn)
        throw conflict(`the books are already closed up to ${previous.endsOn}`);
      const [first] = await db.select({ day: min(ledgerEntries.entryDate) }).from(ledgerEntries);
      const firstDay = first?.day;
      const startsOn = previous
        ? addDays(previous.endsOn, 1)
        : firstDay && firstDay < endsOn
          ? firstDay
          : endsOn;
      const { hash, entries } = await sealOf(tx, previous?.hash ?? '', startsOn, endsOn);
      const [closed] = await db
        .insert(ledgerPeriods)
        .values({ startsOn, endsOn, closedBy, entries, hash })
        .returning(columns);
      return shown(closed!);
    });
  }

  /** Recomputes every seal: the periods whose entries no longer match their hash (none, unless tampered with). */
  async verify(): Promise<{ endsOn: string; ok: boolean }[]> {
    const periods = await this.list();
    const client = await this.pool.connect();
    try {
      let previous = '';
      const results = [];
      for (const period of periods) {
        const { hash } = await sealOf(client, previous, period.startsOn, period.endsOn);
        results.push({ endsOn: period.endsOn, ok: hash === period.hash });
        previous = period.hash;
      }
      return results;
    } finally {
      client.release();
    }
  }
}

/** sha256 over the previous seal and every entry dated in [from, to], with its postings, in id order. */
async function sealOf(
  client: pg.PoolClient,
  previous: string,
  from: string,
  to: string,
): Promise<{ hash: string; entries: number }> {
  const { rows } = await client.query<{ line: string }>(
    `select e.id || '|' || e.entry_date || '|' || e.source_key || '|' || e.description || '|' ||
       string_agg(p.account_code || '=' || p.amount_minor || ' ' || p.currency || coalesce(' @' || p.jurisdiction, ''), ';' order by p.id) as line
     from ledger_entries e join ledger_postings p on p.entry_id = e.id
     where e.entry_date between $1::date and $2::date group by e.id order by e.id`,
    [from, to],
  );
  const hash = createHash('sha256').update(previous);
  for (const { line } of rows) hash.update(`${line}\n`);
  return { hash: hash.digest('hex'), entries: rows.length };
}
