// Integrations on Settings, against the simulators: fields shown without their secrets, values saved
// to the vault and tested at once, Test connection showing the kind and what to do, the environment
// winning, and stored values reaching the configuration at start-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { openModules } from '../../src/platform/runtime.ts';
import type { AiSettings } from '../../src/modules/ai/settings.ts';
import type { LedgerSettings } from '../../src/modules/ledger/settings.ts';
import { AkauntingSimulator } from '../../src/sim/akaunting.ts';
import { GeminiSimulator } from '../../src/sim/gemini.ts';
import { OpenAiSimulator } from '../../src/sim/openai.ts';
import type { LightMyRequestResponse } from 'fastify';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';

let server: TestServer;
let owner: LoggedIn;
let akaunting: AkauntingSimulator;
let gemini: GeminiSimulator;
let openai: OpenAiSimulator;
const PASSWORD = 'correct horse battery';

before(async () => {
  akaunting = await AkauntingSimulator.start({ email: 'api@salon-shop.example', password: PASSWORD });
  gemini = await GeminiSimulator.start({ apiKey: 'sim-gemini-key-0001' });
  openai = await OpenAiSimulator.start({ apiKey: 'sim-openai-key-0002' });
  server = await startTestServer({
    env: { GEMINI_API_KEY: 'sim-gemini-key-0001', GEMINI_BASE_URL: gemini.baseUrl },
  });
  owner = await loginAs(server, 'owner');
});
after(async () => {
  await server.close();
  await Promise.all([akaunting.stop(), gemini.stop(), openai.stop()]);
});

const form = (url: string, fields: Record<string, string> = {}, who: LoggedIn = owner) =>
  server.app.inject({
    method: 'POST',
    url,
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: who.csrf }).toString(),
  });
const settings = async () =>
  (await server.app.inject({ method: 'GET', url: '/settings', headers: { cookie: owner.cookie } })).body;
/** The notice a form sends the browser back to Settings with. */
const notice = (response: LightMyRequestResponse) => {
  assert.equal(response.statusCode, 303, response.body);
  const back = new URL(String(response.headers.location), 'http://shopkeep.local');
  assert.equal(back.pathname, '/settings');
  return back.searchParams.get('notice') ?? back.searchParams.get('problem') ?? '';
};

test('each integration is listed with its fields; a secret only as "set" and where it comes from', async () => {
  const page = await settings();
  const gem = /<article id="integration-gemini">([\s\S]*?)<\/article>/.exec(page)![1]!;
  assert.match(gem, /API key<\/td>\s*<td>set <span class="muted">\(from environment\)/);
  assert.match(gem, /<code>GEMINI_API_KEY<\/code>/);
  assert.match(
    gem,
    /Address<\/td>\s*<td><code>http:\/\/127\.0\.0\.1:\d+<\/code> <span class="muted">\(from environment\)/,
  );
  assert.doesNotMatch(gem, /<input\s+name=/, 'no input for a value the environment sets');
  assert.match(gem, /Test connection/);
  assert.ok(!page.includes('sim-gemini-key-0001'), 'the key is never on the page');
  const books = /<article id="integration-akaunting">([\s\S]*?)<\/article>/.exec(page)![1]!;
  assert.match(books, /Password<\/td>\s*<td><span class="muted">not set/);
  assert.match(books, /Company id<\/td>\s*<td><code>1<\/code> <span class="muted">\(default\)/);
  assert.match(books, /<input\s+name="password"\s+type="password"/);
});

test('Test connection: incomplete says what to enter; the environment’s key is tested against the service', async () => {
  const empty = await form('/settings/integrations/akaunting/test');
  assert.equal(
    notice(empty),
    'Akaunting: not set up (incomplete). Akaunting is not set up: enter Address, API user’s email, Password below, or set AKAUNTING_URL, AKAUNTING_EMAIL, AKAUNTING_PASSWORD.',
  );
  const works = await form('/settings/integrations/gemini/test');
  assert.equal(
    notice(works),
    'Google Gemini: the connection works. Gemini answered: Gemini 2.5 flash is available.',
  );
});

test('saving tests at once: a wrong password is an auth failure that says what to do, and never shows the password', async () => {
  const wrong = await form('/settings/integrations/akaunting', {
    url: akaunting.baseUrl,
    email: 'api@salon-shop.example',
    password: 'not the password',
    company_id: '',
  });
  assert.equal(
    notice(wrong),
    'Akaunting: saved 3 values; credentials refused (auth). Akaunting refused the login of api@salon-shop.example: check AKAUNTING_EMAIL and AKAUNTING_PASSWORD. Check Password (AKAUNTING_PASSWORD or the value saved here).',
  );
  assert.doesNotMatch(notice(wrong), /not the password/);

  const right = await form('/settings/integrations/akaunting', { password: PASSWORD });
  assert.equal(
    notice(right),
    'Akaunting: saved one value; the connection works. Akaunting answered: signed in as api@salon-shop.example, company 1.',
  );
  const shown = (
    await server.app.inject({
      method: 'GET',
      url: String(right.headers.location),
      headers: { cookie: owner.cookie },
    })
  ).body;
  assert.match(shown, /<p class="notice" role="status">Akaunting: saved one value; the connection works\./);
  assert.ok(!shown.includes(PASSWORD));
  assert.equal(await server.face('vault').get('akaunting.password'), PASSWORD, 'sealed in the vault');
  const books = /<article id="integration-akaunting">([\s\S]*?)<\/article>/.exec(await settings())![1]!;
  assert.match(books, /Password<\/td>\s*<td>set <span class="muted">\(saved here\)/);
  assert.match(books, /placeholder="set; leave blank to keep it"/);

  const audit = (await server.face('audit').recent(20)).filter(
    (entry) => entry.action === 'integration.credentials_save',
  );
  assert.deepEqual(
    audit.map((entry) => entry.details),
    [{ fields: ['password'] }, { fields: ['url', 'email', 'password'] }],
  );
});

test('a value the environment sets is refused, a bad value is refused with what is wrong, nothing is stored', async () => {
  const env = await form('/settings/integrations/gemini', { api_key: 'another-key-9999' });
  assert.match(
    notice(env),
    /Google Gemini API key is set by GEMINI_API_KEY in the environment, which wins; change it there/,
  );
  assert.equal(await server.face('vault').get('gemini.api_key'), undefined);

  const bad = await form('/settings/integrations/akaunting', {
    company_id: 'first',
    url: 'ftp://books.example',
  });
  assert.equal(notice(bad), 'Akaunting: not saved: Akaunting Address: must start with http:// or https://');
  assert.equal(await server.face('vault').get('akaunting.company_id'), undefined);

  assert.equal((await form('/settings/integrations/nothing/test')).statusCode, 404);
  const staff = await loginAs(server, 'staff');
  assert.equal((await form('/settings/integrations/akaunting/test', {}, staff)).statusCode, 403);
});

test('a local OpenAI-compatible server needs only its address; a key it refuses is an auth failure', async () => {
  const incomplete = await form('/settings/integrations/openai/test');
  assert.match(notice(incomplete), /enter an API key for OpenAI, or the address of your own server/);
  const refused = await form('/settings/integrations/openai', {
    base_url: openai.baseUrl,
    api_key: 'wrong-key-5555',
  });
  assert.match(notice(refused), /credentials refused \(auth\)\. openai: 401 Incorrect API key provided\./);
  assert.doesNotMatch(notice(refused), /wrong-key-5555/);
  const works = await form('/settings/integrations/openai', { api_key: 'sim-openai-key-0002' });
  assert.match(notice(works), /the connection works\. The server answered: gpt-4o-mini is available\./);
});

test('stored values reach the modules’ settings at start-up; the environment’s win', async () => {
  // A second start on the same database and data directory, as after a restart.
  const env = { GEMINI_API_KEY: 'sim-gemini-key-0001', GEMINI_BASE_URL: gemini.baseUrl };
  const config = parseConfig({ DATABASE_URL: server.db.url, SHOPKEEP_DATA_DIR: server.dataDir, ...env });
  const { modules, database } = await openModules(config, createLogger('silent'), {
    ownsEmbeddedServer: false,
  });
  try {
    const settingsOf = (name: string) =>
      modules.all().find((each) => each.definition.name === name)!.settings;
    const { akaunting: books } = settingsOf('ledger') as LedgerSettings;
    assert.equal(books?.baseUrl, akaunting.baseUrl);
    assert.equal(books?.password, PASSWORD);
    assert.equal(books?.companyId, 1);
    const { ai } = settingsOf('ai') as AiSettings;
    assert.equal(ai.gemini.apiKey, 'sim-gemini-key-0001');
    assert.equal(ai.openai.configured, true);
    assert.equal(ai.openai.baseUrl, openai.baseUrl);
    assert.equal(ai.anthropic.apiKey, undefined);
  } finally {
    await database.close();
  }

  const vault = server.face('vault');
  const forget = await form('/settings/integrations/akaunting/forget');
  assert.equal(forget.statusCode, 303);
  assert.equal(await vault.get('akaunting.password'), undefined);
  assert.equal(await vault.get('akaunting.url'), undefined);
});
