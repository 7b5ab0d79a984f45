// What the import and reconciliation remember: each run (shop_sync_runs: its step, progress and
// outcome, so a crashed import resumes and the Shopify page shows how the last ones went) and where
// the next reconciliation starts (shop_sync_cursors).
import type pg from 'pg';

export interface SyncProgress {
  step: string;
  done: number;
  /** Known only for some steps. */
  total?: number;
}

export type ProgressListener = (progress: SyncProgress) => void;

export type RunKind = 'import' | 'reconcile';

export interface RunSummary {
  id: number;
  status: 'running' | 'done' | 'failed';
  step: string | null;
  startedAt: string;
  finishedAt: string | null;
  repaired: number;
  progress: Record<string, unknown>;
  error: string | null;
}

export class SyncRuns {
  constructor(private readonly pool: pg.Pool) {}

  /** A new run; an import that never finished (crashed or failed) is picked up where it stopped. */
  async open(kind: RunKind): Promise<{ id: number; progress: Record<string, unknown> }> {
    if (kind === 'import') {
      const { rows } = await this.pool.query<{
        id: string;
        progress: Record<string, unknown>;
        status: string;
      }>("select id, progress, status from shop_sync_runs where kind = 'import' order by id desc limit 1");
      const resumable = rows[0];
      if (resumable && resumable.status !== 'done') {
        await this.pool.query(
          "update shop_sync_runs set status = 'running', error = null, finished_at = null where id = $1",
          [resumable.id],
        );
        return { id: Number(resumable.id), progress: resumable.progress };
      }
    }
    const { rows } = await this.pool.query<{ id: string }>(
      'insert into shop_sync_runs (kind) values ($1) returning id',
      [kind],
    );
    return { id: Number(rows[0]!.id), progress: {} };
  }

  async save(id: number, step: string, progress: object): Promise<void> {
    await this.pool.query('update shop_sync_runs set step = $2, progress = $3 where id = $1', [
      id,
      step,
      JSON.stringify(progress),
    ]);
  }

  async finish(
    id: number,
    outcome: { status: 'done' | 'failed'; repaired: number; progress: object; error?: string },
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<void> {
    await client.query(
      'update shop_sync_runs set status = $2, repaired = $3, progress = $4, error = $5, finished_at = now() where id = $1',
      [id, outcome.status, outcome.repaired, JSON.stringify(outcome.progress), outcome.error ?? null],
    );
  }

  /** Runs this server was doing when it stopped (a crash, kill -9) are not running any more. */
  async endInterrupted(): Promise<void> {
    await this.pool.query(
      `update shop_sync_runs set status = 'failed', error = 'interrupted: shopkeep stopped during the run', finished_at = now()
       where status = 'running'`,
    );
  }

  /** The latest import and reconciliation, and what reconciliation repaired in the last 7 days. */
  async latest(): Promise<{
    lastImport: RunSummary | null;
    lastReconciliation: RunSummary | null;
    driftLast7Days: number;
  }> {
    const [runs, drift] = await Promise.all([
      this.pool.query<{
        id: string;
        kind: string;
        status: RunSummary['status'];
        step: string | null;
        started_at: Date;
        finished_at: Date | null;
        repaired: number;
        progress: Record<string, unknown>;
        error: string | null;
      }>(
        `select distinct on (kind) id, kind, status, step, started_at, finished_at, repaired, progress, error
         from shop_sync_runs order by kind, id desc`,
      ),
      this.pool.query<{ drift: string }>(
        `select coalesce(sum(repaired), 0) as drift from shop_sync_runs where kind = 'reconcile' and started_at > now() - interval '7 days'`,
      ),
    ]);
    const summary = (kind: RunKind): RunSummary | null => {
      const row = runs.rows.find((run) => run.kind === kind);
      return row
        ? {
            id: Number(row.id),
            status: row.status,
            step: row.step,
            startedAt: row.started_at.toISOString(),
            finishedAt: row.finished_at?.toISOString() ?? null,
            repaired: row.repaired,
            progress: row.progress,
            error: row.error,
          }
        : null;
    };
    return {
      lastImport: summary('import'),
      lastReconciliation: summary('reconcile'),
      driftLast7Days: Number(drift.rows[0]!.drift),
    };
  }

  /** Where reconciliation of a resource starts next (an instant), or undefined before the first run. */
  async cursor(resource: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ cursor: string }>(
      'select cursor from shop_sync_cursors where resource = $1',
      [resource],
    );
    return rows[0]?.cursor;
  }

  async setCursor(resource: string, cursor: string): Promise<void> {
    await this.pool.query(
      `insert into shop_sync_cursors (resource, cursor) values ($1, $2)
       on conflict (resource) do update set cursor = excluded.cursor, updated_at = now()`,
      [resource, cursor],
    );
  }
}
