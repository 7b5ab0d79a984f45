// One way to reach the database: DATABASE_URL when set, otherwise the embedded server.
import { describeError } from '../errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { databaseUrl, EmbeddedPostgres } from './embedded-postgres.ts';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { serveRunning } from '../process-lock.ts';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** Anything that can run a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query: pg.Pool['query'];
}

export interface Database {
  pool: pg.Pool;
  url: string;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The server owns the embedded PostgreSQL and stops it at exit; a CLI command stops only what it started. */
  ownsEmbeddedServer: boolean;
  poolSize?: number;
}

export async function openDatabase(config: Config, logger: Logger, options: OpenOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let startedHere = false;
  let closed = false;
  let url = config.databaseUrl;
  if (url === undefined) {
    const server = new EmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      logger,
      // Only the process that owns the server restarts it; a CLI command just reports the error.
      onUnexpectedExit: () => {
        if (options.ownsEmbeddedServer) restartWithBackoff(server, logger, () => closed);
      },
    });
    embedded = server;
    startedHere = await server.start();
    url = server.connectionString;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: 'shopkeep',
  });
  // A dropped connection must not take the process down; the next query reports it. Idle clients
  // report through the pool; a client that is checked out (a LISTEN, a transaction) through its own
  // listener, which every client gets when it connects.
  // Once shopkeep is closing, a connection that PostgreSQL ends on its way down is expected.
  const lost = (error: Error) => {
    if (!closed) logger.warn({ err: describeError(error) }, 'database connection lost');
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  if (config.databaseUrl) {
    const role = await connectedRole(pool).catch(() => undefined);
    if (role?.superuser)
      logger.warn(
        { role: role.name },
        'shopkeep connects to PostgreSQL as a superuser, which can run programs on the database server; give it a role that owns only its database (docs/operations.md, "Your own PostgreSQL")',
      );
  }
  return {
    pool,
    url,
    embedded,
    async close() {
      closed = true;
      await pool.end();
      if (!embedded) return;
      // A command that had to start PostgreSQL stops it again, unless a server has taken it over since.
      const stop = options.ownsEmbeddedServer || (startedHere && !serveRunning(config.dataDir));
      if (stop) await embedded.stop();
      else embedded.release();
    },
  };
}

/** A database made beside shopkeep's for a while (a restore drill loads a backup into one), then dropped. */
export interface ScratchDatabase {
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * Makes a scratch database on the server shopkeep uses: on the embedded server as its superuser;
 * elsewhere as shopkeep's own role, which then needs CREATEDB (the error says so), unless `serverUrl`
 * names a role that may create databases.
 */
export async function scratchDatabase(database: Database, serverUrl?: string): Promise<ScratchDatabase> {
  const adminUrl = serverUrl ?? database.embedded?.adminConnectionString ?? database.url;
  const name = `shopkeep_scratch_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Scratch databases left by a drill that was killed hold a whole copy of the shop: gone first
    // (drills run one at a time, so none of them is in use).
    const { rows: left } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'shopkeep\\_scratch\\_%'`,
    );
    for (const { datname } of left)
      if (/^shopkeep_scratch_[0-9a-f]{10}$/.test(datname))
        await admin.query(`drop database if exists ${datname} with (force)`).catch(() => undefined);
    await admin.query(`create database ${name}`);
  } catch (error) {
    if ((error as { code?: string }).code === '42501')
      throw new AppError(
        'forbidden',
        "shopkeep's database role may not create databases, and a restore drill needs a scratch one: run `ALTER ROLE <role> CREATEDB` in PostgreSQL, or set SHOPKEEP_BACKUP_SCRATCH_DATABASE_URL to a role that may",
      );
    throw error;
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: databaseUrl(adminUrl, name), max: 2 });
  pool.on('error', () => undefined);
  return {
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The role shopkeep is connected as, and whether it is a superuser (it should not be). */
export async function connectedRole(pool: pg.Pool): Promise<{ name: string; superuser: boolean }> {
  const { rows } = await pool.query<{ name: string; superuser: boolean }>(
    'select rolname as name, rolsuper as superuser from pg_roles where rolname = current_user',
  );
  return rows[0]!;
}

/** The embedded server crashed: start it again, waiting longer after each failure, until closed. */
function restartWithBackoff(
  embedded: EmbeddedPostgres,
  logger: Logger,
  closed: () => boolean,
  attempt = 1,
): void {
  const delay = Math.min(30_000, 500 * 2 ** (attempt - 1));
  setTimeout(() => {
    if (closed()) return;
    embedded.start().then(
      () => logger.info({ attempt }, 'embedded PostgreSQL restarted'),
      (error: Error) => {
        logger.error({ attempt, err: error.message }, 'embedded PostgreSQL failed to restart');
        restartWithBackoff(embedded, logger, closed, attempt + 1);
      },
    );
  }, delay).unref();
}

export interface TransactionOptions {
  /**
   * Runs `work` again, up to this many more times, when PostgreSQL aborted the transaction because of
   * another one (a serialization failure or a deadlock). Only for work whose every effect is in the
   * transaction: whatever it does outside (a request, a counter in memory) would happen again.
   */
  retries?: number;
}

/** Runs `work` in a transaction; commits when it returns, rolls back when it throws. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  { retries = 0 }: TransactionOptions = {},
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await once(pool, work);
    } catch (error) {
      if (attempt >= retries || !lostToAnother(error)) throw error;
      // A short wait, longer each time and a little random, so the two do not meet the same way again.
      await sleep(10 * 2 ** attempt * (1 + Math.random()));
    }
  }
}

/** SQLSTATE 40001 (serialization failure) and 40P01 (deadlock): the whole transaction may simply be run again. */
const LOST_TO_ANOTHER = new Set(['40001', '40P01']);

/** Whether PostgreSQL aborted a transaction because of another one (the driver's error, or drizzle's around it). */
export function lostToAnother(error: unknown): boolean {
  const code = (error instanceof DrizzleQueryError ? error.cause : error) as { code?: unknown } | undefined;
  return typeof code?.code === 'string' && LOST_TO_ANOTHER.has(code.code);
}

async function once<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
