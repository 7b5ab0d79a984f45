// A transaction PostgreSQL aborts because of another one (a deadlock, a serialization failure) is
// run again whole when its caller allows it; any other failure reaches the caller at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { lostToAnother, transaction } from '../../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase({ migrated: false });
  await db.pool.query('create table shelves (id int primary key, units int not null)');
});
after(() => db.drop());

async function stock(units: [number, number]): Promise<void> {
  await db.pool.query('delete from shelves');
  await db.pool.query('insert into shelves values (1, $1), (2, $2)', units);
}

async function shelves(): Promise<number[]> {
  const { rows } = await db.pool.query<{ units: number }>('select units from shelves order by id');
  return rows.map((row) => row.units);
}

/** Resolves once `count` parties have arrived; each waits for all of them (one arriving later, not at all). */
function meeting(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const everyone = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return everyone;
  };
}

/**
 * Two transactions each take one shelf and then want the other's: PostgreSQL aborts one of them as
 * the deadlock victim. `tries` counts how often each one's work ran.
 */
function crossedMoves(retries: number) {
  const bothHoldOne = meeting(2);
  const tries = { first: 0, second: 0 };
  const move = (name: 'first' | 'second', from: number, to: number) =>
    transaction(
      db.pool,
      async (tx: pg.PoolClient) => {
        tries[name] += 1;
        await tx.query('update shelves set units = units - 1 where id = $1', [from]);
        await bothHoldOne();
        await tx.query('update shelves set units = units + 1 where id = $1', [to]);
      },
      { retries },
    );
  return { tries, first: move('first', 1, 2), second: move('second', 2, 1) };
}

test('a deadlock victim is run again and both transactions land', async () => {
  await stock([10, 10]);
  const { tries, first, second } = crossedMoves(3);
  await Promise.all([first, second]);
  assert.deepEqual(await shelves(), [10, 10], 'each moved one unit each way');
  assert.deepEqual(
    [tries.first, tries.second].sort(),
    [1, 2],
    'one of them was the deadlock victim and ran a second time',
  );
});

test('without retries the deadlock reaches the caller, and the victim left nothing behind', async () => {
  await stock([10, 10]);
  const { first, second } = crossedMoves(0);
  const outcomes = await Promise.allSettled([first, second]);
  const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
  assert.equal(failed.length, 1);
  const reason = (failed[0] as PromiseRejectedResult).reason as { code?: string };
  assert.equal(reason.code, '40P01');
  assert.equal(
    (await shelves()).reduce((sum, units) => sum + units),
    20,
    'no unit lost or made',
  );
});

test('a serialization failure is run again; the second try sees what the other committed', async () => {
  await stock([3, 0]);
  const bothRead = meeting(2);
  let tries = 0;
  // Two serializable transactions each move every unit from shelf 1 to shelf 2 after reading it.
  const moveAll = () =>
    transaction(
      db.pool,
      async (tx) => {
        tries += 1;
        await tx.query('set transaction isolation level serializable');
        const { rows } = await tx.query<{ units: number }>('select units from shelves where id = 1');
        await bothRead();
        await tx.query('update shelves set units = units + $1 where id = 2', [rows[0]!.units]);
        await tx.query('update shelves set units = units - $1 where id = 1', [rows[0]!.units]);
      },
      { retries: 3 },
    );
  const outcomes = await Promise.allSettled([moveAll(), moveAll()]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['fulfilled', 'fulfilled'],
  );
  assert.equal(tries, 3, 'the one that lost ran again');
  assert.deepEqual(await shelves(), [0, 3], 'the units moved once, not twice');
});

test('any other failure is not run again', async () => {
  let tries = 0;
  await assert.rejects(
    transaction(
      db.pool,
      async (tx) => {
        tries += 1;
        await tx.query('insert into shelves values (1, 0), (1, 0)');
      },
      { retries: 3 },
    ),
    (error: { code?: string }) => error.code === '23505',
  );
  assert.equal(tries, 1);
});

test('a conflict is known through drizzle’s wrapper too', () => {
  const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
  assert.equal(lostToAnother(deadlock), true);
  assert.equal(lostToAnother(new DrizzleQueryError('update shelves …', [], deadlock)), true);
  const duplicate = Object.assign(new Error('duplicate key'), { code: '23505' });
  assert.equal(lostToAnother(new DrizzleQueryError('insert into shelves …', [], duplicate)), false);
  assert.equal(lostToAnother(new Error('Connection terminated')), false);
});
