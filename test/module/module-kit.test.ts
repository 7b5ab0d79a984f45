// A module is one declaration: this test adds a throwaway one (its table, setting, route, page, menu
// entry, job, event and subscription, CLI command) to the registry's list, touching no other file,
// and sees each part work in a running shopkeep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { defineModule } from '../../src/platform/kit/module.ts';
import { defineJob, type JobDefinition } from '../../src/platform/jobs/job-queue.ts';
import { conflict } from '../../src/platform/errors.ts';
import { defineEvents, type PayloadsOf } from '../../src/platform/events/catalogue.ts';
import { emit, subscription } from '../../src/platform/events/outbox.ts';
import { transaction } from '../../src/platform/db/database.ts';
import { responses } from '../../src/platform/http/schemas.ts';
import { html } from '../../src/platform/dashboard/html.ts';
import { page } from '../../src/platform/dashboard/layout.ts';
import { sendPage } from '../../src/platform/dashboard/components.ts';
import type { Notifier } from '../../src/platform/notify/index.ts';
import { MODULES } from '../../src/modules/index.ts';
import { main } from '../../src/cli/main.ts';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

// ---- the throwaway module: what a new module's folder would hold ---------------------------------

const migrations = mkdtempSync(path.join(tmpdir(), 'sk-parcels-'));
writeFileSync(
  path.join(migrations, '0001_parcels.sql'),
  'create table parcels_booked (id bigserial primary key, recipient text not null, counted boolean not null default false);',
);

const parcelEvents = defineEvents({
  'parcel.booked': {
    description: 'a parcel was booked for collection',
    payload: Type.Object({ parcelId: Type.Integer(), recipient: Type.String() }),
  },
});

declare module '../../src/platform/events/catalogue.ts' {
  interface EventMap extends PayloadsOf<typeof parcelEvents> {}
}

/** The module's service: its own table, its setting, a face of another module. */
class ParcelDesk {
  constructor(private readonly options: { db: pg.Pool; dailyLimit: number; notifications: Notifier }) {}

  async book(recipient: string): Promise<number> {
    return transaction(this.options.db, async (tx) => {
      await tx.query("select pg_advisory_xact_lock(hashtext('parcels.book'))");
      const { rows: booked } = await tx.query<{ n: number }>('select count(*)::int as n from parcels_booked');
      if (booked[0]!.n >= this.options.dailyLimit)
        throw conflict(`no more than ${this.options.dailyLimit} parcels a day`);
      const { rows } = await tx.query<{ id: string }>(
        'insert into parcels_booked (recipient) values ($1) returning id',
        [recipient],
      );
      const parcelId = Number(rows[0]!.id);
      await emit(tx, 'parcel.booked', { parcelId, recipient });
      return parcelId;
    });
  }

  async list(): Promise<{ id: number; recipient: string; counted: boolean }[]> {
    const { rows } = await this.options.db.query(
      'select id::int, recipient, counted from parcels_booked order by id',
    );
    return rows;
  }

  async countAll(): Promise<number> {
    const { rowCount } = await this.options.db.query('update parcels_booked set counted = true');
    return rowCount ?? 0;
  }

  async tellOwner(recipient: string): Promise<void> {
    await this.options.notifications.send({
      kind: 'parcels.booked',
      severity: 'info',
      title: `Parcel for ${recipient} booked`,
      body: 'It waits for collection.',
    });
  }
}

interface ParcelParts {
  desk: ParcelDesk;
  count: JobDefinition<{ why: string }>;
}

const Parcel = Type.Object({ id: Type.Integer(), recipient: Type.String(), counted: Type.Boolean() });

function parcelRoutes(app: FastifyInstance, { desk }: ParcelParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '',
    {
      config: { access: 'read' },
      schema: {
        tags: ['parcels'],
        summary: 'Parcels booked',
        response: responses({ 200: Type.Object({ parcels: Type.Array(Parcel) }) }),
      },
    },
    async () => ({ parcels: await desk.list() }),
  );
  api.post(
    '',
    {
      config: { access: 'write' },
      schema: {
        tags: ['parcels'],
        summary: 'Book a parcel',
        body: Type.Object(
          { recipient: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ parcelId: Type.Integer() }) }),
      },
    },
    async (request, reply) => reply.code(201).send({ parcelId: await desk.book(request.body.recipient) }),
  );
}

function parcelPages(app: FastifyInstance, { desk }: ParcelParts): void {
  app.get('/parcels', { config: { access: 'read' }, schema: { hide: true } }, async (request, reply) =>
    sendPage(
      reply,
      page(
        { title: 'Parcels', principal: request.principal, current: '/parcels' },
        html`<ul>${(await desk.list()).map((parcel) => html`<li>${parcel.recipient}</li>`)}</ul>`,
      ),
    ),
  );
}

const ranJobs: string[] = [];

const parcels = defineModule<{ dailyLimit: number }, ParcelParts>({
  name: 'parcels',
  migrations: { dir: migrations },
  events: parcelEvents,
  settings: (read) => ({ dailyLimit: read.integer('PARCELS_DAILY_LIMIT', 10, 1, 100) }),
  needs: ['notifications'],
  build: ({ db, settings, use }) => {
    const desk = new ParcelDesk({ db, dailyLimit: settings.dailyLimit, notifications: use('notifications') });
    const count = defineJob<{ why: string }>({
      name: 'parcels.count',
      async handler({ why }) {
        ranJobs.push(`${why}: ${await desk.countAll()}`);
      },
    });
    return { desk, count };
  },
  http: [
    { prefix: '/api/v1/parcels', register: parcelRoutes },
    { prefix: '', register: parcelPages },
  ],
  menu: [{ href: '/parcels', label: 'Parcels', position: 60 }],
  jobs: ({ count }) => [count],
  subscriptions: ({ desk }) => [
    subscription({
      name: 'parcels.tell-owner',
      types: ['parcel.booked'],
      handle: async (event) => desk.tellOwner(event.payload.recipient),
    }),
  ],
  commands: {
    parcels: {
      summary: 'Parcels: count them',
      usage: 'shopkeep parcels count',
      run: (context) =>
        context.open(async ({ desk }) => {
          console.log(`${await desk.countAll()} parcel(s) counted`);
          return 0;
        }),
    },
  },
});

// ---- the test ------------------------------------------------------------------------------------

let server: TestServer;
let owner: LoggedIn;

before(async () => {
  server = await startTestServer({
    extraModules: [parcels],
    env: { PARCELS_DAILY_LIMIT: '3' },
    work: true,
  });
  owner = await loginAs(server);
});

after(async () => {
  await server?.close();
  rmSync(migrations, { recursive: true, force: true });
});

const asOwner = () => ({ cookie: owner.cookie, 'x-csrf-token': owner.csrf });

test('its route answers under its prefix, with its setting, and /api/docs shows it with its response', async () => {
  for (const recipient of ['Salon Aurora', 'Mrs Patel', 'The Barber Shop']) {
    const booked = await server.app.inject({
      method: 'POST',
      url: '/api/v1/parcels',
      headers: asOwner(),
      payload: { recipient },
    });
    assert.equal(booked.statusCode, 201, booked.body);
  }
  // PARCELS_DAILY_LIMIT=3: its own setting, read with the platform's at start-up.
  const fourth = await server.app.inject({
    method: 'POST',
    url: '/api/v1/parcels',
    headers: asOwner(),
    payload: { recipient: 'One too many' },
  });
  assert.equal(fourth.statusCode, 409);
  assert.match(fourth.json().error.message, /no more than 3 parcels a day/);
  const listed = await server.app.inject({ url: '/api/v1/parcels', headers: { cookie: owner.cookie } });
  assert.deepEqual(
    listed.json().parcels.map((parcel: { recipient: string }) => parcel.recipient),
    ['Salon Aurora', 'Mrs Patel', 'The Barber Shop'],
  );
  const refused = await server.app.inject({ url: '/api/v1/parcels' });
  assert.equal(refused.statusCode, 401, 'the platform’s access rule holds for its routes');
  const docs = (await server.app.inject({ url: '/api/docs/openapi.json' })).json() as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  assert.ok(docs.paths['/api/v1/parcels']?.post?.responses['201'], Object.keys(docs.paths).join(' '));
});

test('its page renders with its menu entry, and the menu of every page has the entry', async () => {
  const parcelsPage = await server.app.inject({ url: '/parcels', headers: { cookie: owner.cookie } });
  assert.equal(parcelsPage.statusCode, 200);
  assert.match(parcelsPage.body, /<li>Salon Aurora<\/li>/);
  assert.match(parcelsPage.body, /<a href="\/parcels" class="current">Parcels<\/a>/);
  const inbox = await server.app.inject({ url: '/inbox', headers: { cookie: owner.cookie } });
  assert.match(inbox.body, /<a href="\/parcels">Parcels<\/a>/);
});

test('its event reaches its subscription, and its job runs', async () => {
  await waitFor(
    async () =>
      (await server.face('notifications').list()).filter((notice) => notice.kind === 'parcels.booked')
        .length === 3,
    60_000,
    'the three notices',
  );
  const jobs = server.kernel.jobs;
  assert.ok(jobs.names.includes('parcels.count'));
  await jobs.send(server.modules.get(parcels).count, { why: 'evening' });
  await waitFor(() => ranJobs.includes('evening: 3'), 60_000, 'the job');
});

test('its CLI command runs through the same entry point, and a bad value of its setting stops it naming the variable', async () => {
  const env = {
    DATABASE_URL: server.db.url,
    SHOPKEEP_DATA_DIR: server.dataDir,
    SHOPKEEP_LOG_LEVEL: 'silent',
    PARCELS_DAILY_LIMIT: '3',
  };
  const printed: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (line: string) => void printed.push(line);
  console.error = (line: string) => void printed.push(line);
  try {
    assert.equal(await main(['parcels', 'count'], { modules: [...MODULES, parcels], env }), 0);
    assert.equal(
      await main(['parcels', 'count'], {
        modules: [...MODULES, parcels],
        env: { ...env, PARCELS_DAILY_LIMIT: 'lots' },
      }),
      78,
    );
  } finally {
    console.log = log;
    console.error = error;
  }
  assert.ok(printed.includes('3 parcel(s) counted'), printed.join('\n'));
  assert.ok(
    printed.some((line) => /PARCELS_DAILY_LIMIT: expected a whole number, got "lots"/.test(line)),
    printed.join('\n'),
  );
});
