// The answers the owner keeps for common questions (delivery times, returns policy, salon terms):
// every draft sees them.
import type pg from 'pg';
import { notFound } from '../../platform/errors.ts';

export interface FaqEntry {
  id: number;
  question: string;
  answer: string;
}

export class Faq {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<FaqEntry[]> {
    const { rows } = await this.pool.query<{ id: string; question: string; answer: string }>(
      'select id, question, answer from mail_faq order by id limit 100',
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async save(entry: { id?: number; question: string; answer: string }): Promise<FaqEntry> {
    if (entry.id !== undefined) {
      const { rows } = await this.pool.query<{ id: string }>(
        'update mail_faq set question = $2, answer = $3, updated_at = now() where id = $1 returning id',
        [entry.id, entry.question, entry.answer],
      );
      if (!rows[0]) throw notFound(`no FAQ entry ${entry.id}`);
      return { id: entry.id, question: entry.question, answer: entry.answer };
    }
    const { rows } = await this.pool.query<{ id: string }>(
      'insert into mail_faq (question, answer) values ($1, $2) returning id',
      [entry.question, entry.answer],
    );
    return { id: Number(rows[0]!.id), question: entry.question, answer: entry.answer };
  }

  async remove(id: number): Promise<void> {
    const { rowCount } = await this.pool.query('delete from mail_faq where id = $1', [id]);
    if (!rowCount) throw notFound(`no FAQ entry ${id}`);
  }
}
