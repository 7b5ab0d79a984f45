// When each person last opened the home page, so it can say what happened since.
import type pg from 'pg';

export class HomeLooks {
  constructor(private readonly pool: pg.Pool) {}

  /** Records a look at `now` and answers when the one before it was (undefined the first time). */
  async look(userId: string, now: Date): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ before: Date | null }>(
      `with before as (select looked_at from ops_home_looks where user_id = $1)
       insert into ops_home_looks (user_id, looked_at) values ($1, $2)
       on conflict (user_id) do update set looked_at = excluded.looked_at
       returning (select looked_at from before) as before`,
      [userId, now],
    );
    return rows[0]?.before ?? undefined;
  }
}
