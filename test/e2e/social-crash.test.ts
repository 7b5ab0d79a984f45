// A day of publishing with the server killed with -9 at random moments: `shopkeep serve` plans the
// week from the simulated shop's catalog, writes and schedules it (the QA gate set to approve all),
// then a day's posts come due at once while the process is killed and started again three times.
// In the end every one of them is published exactly once: the simulators' own counts say so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';
import { socialEnv, startCdn, startSimulators } from '../support/social.ts';
import { ShopifySimulator } from '../../src/sim/shopify/index.ts';

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let server: RunningServer | undefined;
let shopify: ShopifySimulator;
let cdn: Awaited<ReturnType<typeof startCdn>>;
let sims: Awaited<ReturnType<typeof startSimulators>>;

before(async () => {
  cdn = await startCdn();
  sims = await startSimulators();
  shopify = await ShopifySimulator.start({
    adminToken: 'shpat_social_e2e_0123456789',
    apiSecret: 'shpss_social_e2e_0123456789',
    historyDays: 3,
    ordersPerDay: 3,
    bucket: { maximumAvailable: 20_000, restoreRate: 1000 },
    photosUrl: `${cdn.baseUrl}/img`,
  });
  db = await createTestDatabase({ migrated: false });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-social-'));
  const port = await freePort();
  env = {
    DATABASE_URL: db.url,
    SHOPKEEP_DATA_DIR: dataDir,
    SHOPKEEP_HOST: '127.0.0.1',
    SHOPKEEP_PORT: String(port),
    SHOPKEEP_PUBLIC_URL: `http://127.0.0.1:${port}`,
    SHOPKEEP_LOG_LEVEL: 'warn',
    SHOPKEEP_AI_PROVIDER: 'offline',
    // Every draft approved by the gate: this test is about publishing, not approving.
    SHOPKEEP_QA_AUTO_APPROVE_ABOVE: '0',
    SHOPKEEP_QA_REGENERATE_BELOW: '0',
    SHOPIFY_SHOP: shopify.shopDomain,
    SHOPIFY_ADMIN_TOKEN: shopify.adminToken,
    SHOPIFY_API_SECRET: shopify.apiSecret,
    SHOPIFY_API_BASE_URL: shopify.baseUrl,
    ...socialEnv(sims.meta, sims.tiktok, sims.linkedin),
  };
});

after(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  await db?.drop();
  await Promise.all([
    shopify?.stop(),
    sims?.meta.stop(),
    sims?.tiktok.stop(),
    sims?.linkedin.stop(),
    cdn?.stop(),
  ]);
  rmSync(dataDir, { recursive: true, force: true });
});

const count = async (sql: string, values: unknown[] = []) =>
  Number((await db.pool.query(sql, values)).rows[0].count);

test(
  'kill -9 at random moments during a day of publishing: every post goes out exactly once',
  { timeout: 600_000 },
  async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    server = await startServe(env, 120_000);
    lap('started');
    // The plan is made once the catalog is in (within a minute); the owner can ask for it at once.
    await waitFor(
      async () => (await count(`select count(*) from shop_products`)) > 10,
      120_000,
      'the catalog',
    );
    const planned = await runCli(['social', 'plan', '--json'], env);
    assert.equal(planned.code, 0, planned.stderr);
    lap('catalog in and planned');
    // The week is planned once the catalog is in, written, approved by the gate and scheduled.
    await waitFor(
      async () =>
        (await count(`select count(*) from social_posts`)) > 100 &&
        (await count(`select count(*) from social_posts where status in ('planned', 'approved')`)) === 0,
      240_000,
      'the week planned, written and scheduled',
    );
    assert.equal(
      await count(`select count(*) from social_posts where status not in ('scheduled', 'drafted')`),
      0,
    );
    lap('week scheduled');

    // A day's posts come due now (the clock cannot be moved on for a real process: their times are).
    const { rows: day } = await db.pool.query<{ id: string; channel: string; format: string }>(
      `with day as (select id from social_posts where status = 'scheduled' order by publish_at limit 60)
     update social_posts p set publish_at = now() - interval '1 second'
     from day where p.id = day.id returning p.id, p.channel, p.format`,
    );
    const expected = { instagram: 0, facebook: 0, tiktok: 0, linkedin: 0 } as Record<string, number>;
    for (const post of day) expected[post.channel]! += 1;
    assert.ok(expected.instagram! > 0);

    const random = (min: number, max: number) => min + Math.random() * (max - min);
    let openAtKill = 0;
    const dayIds = day.map((p) => p.id);
    const left = () =>
      count(`select count(*) from social_posts where id = any($1) and status <> 'published'`, [dayIds]);
    for (let kill = 0; kill < 3; kill += 1) {
      // Wait until a post is being published, then kill the process in the middle of it (or just after).
      const busy = await waitFor(
        async () =>
          (await count(`select count(*) from social_attempts where finished_at is null`)) > 0
            ? 'publishing'
            : (await left()) === 0 && 'done',
        120_000,
        'publishing under way',
      );
      if (busy === 'done') break; // the day went out before another kill could land
      await new Promise((resolve) => setTimeout(resolve, random(0, 800)));
      server.child.kill('SIGKILL');
      await server.exited;
      openAtKill += await count(`select count(*) from social_attempts where finished_at is null`);
      server = await startServe(env, 120_000);
      lap(`killed and started again (${kill + 1})`);
    }
    await waitFor(
      async () =>
        (await count(`select count(*) from social_posts where id = any($1) and status = 'published'`, [
          day.map((p) => p.id),
        ])) === day.length,
      360_000,
      'every post of the day published',
    );

    lap('all published');
    const meta = sims.meta.published();
    assert.deepEqual(
      {
        instagram: meta.filter((m) => m.platform === 'instagram').length,
        facebook: meta.filter((m) => m.platform === 'facebook').length,
        tiktok: sims.tiktok.published().length,
        linkedin: sims.linkedin.published().length,
      },
      expected,
      'each platform holds exactly the posts that came due, once each',
    );
    const ids = await db.pool.query<{ platform_post_id: string }>(
      `select platform_post_id from social_posts where status = 'published'`,
    );
    assert.equal(
      new Set(ids.rows.map((r) => r.platform_post_id)).size,
      ids.rows.length,
      'no platform post is claimed twice',
    );
    const attempts = await count('select count(*) from social_attempts');
    assert.ok(openAtKill > 0, 'a kill landed in the middle of an attempt');
    const found = await count(`select count(*) from social_attempts where outcome = 'reconciled'`);
    console.log(
      `kill -9 ×3: ${day.length} posts, ${attempts} attempts, ${found} found on the platform after a crash`,
    );
  },
);
