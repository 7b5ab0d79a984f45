// The VAT return sent to HMRC's Making Tax Digital API (its simulator): the owner connects once
// (OAuth: HMRC's page sends them back with a code, the state checked), the return goes with the
// fraud prevention headers and the boxes as HMRC reads them, is filed here with HMRC's receipt, and
// is never sent twice. An access token that expired is refreshed; a form without the browser's facts
// is refused before anything is sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, startTestServer, type LoggedIn, type TestServer } from '../support/server.ts';
import { rememberShop } from '../support/shop.ts';
import { HmrcSimulator } from '../../src/sim/hmrc.ts';
import { ledgerOf } from '../support/ledger.ts';

let server: TestServer;
let hmrc: HmrcSimulator;
let owner: LoggedIn;

before(async () => {
  hmrc = await HmrcSimulator.start({
    clientId: 'hmrc-client-0123',
    clientSecret: 'hmrc-secret-0123456789',
    vrn: '123456789',
    obligations: [{ periodKey: '26A4', start: '2026-10-01', end: '2026-12-31', due: '2027-02-07' }],
  });
  server = await startTestServer({
    clock: () => new Date('2027-01-10T12:00:00Z'),
    env: {
      HMRC_CLIENT_ID: 'hmrc-client-0123',
      HMRC_CLIENT_SECRET: 'hmrc-secret-0123456789',
      HMRC_VRN: 'GB 123456789',
      HMRC_BASE_URL: hmrc.baseUrl,
    },
  });
  await rememberShop(server.db.pool);
  owner = await loginAs(server, 'owner');
  // A quarter's sale VAT (£200.00) and VAT reclaimed (£50.00): £150.00 to pay.
  await ledgerOf(server).ledger.addExpense({
    date: '2026-11-04',
    supplier: 'Packaging Co',
    amount: '300.00',
    tax: '50.00',
    account: 'Expenses:Packaging',
  });
});
after(async () => {
  await server.close();
  await hmrc.stop();
});

const page = (url: string) => server.app.inject({ url, headers: { cookie: owner.cookie } });
const form = (url: string, fields: Record<string, string>) =>
  server.app.inject({
    method: 'POST',
    url,
    headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: owner.csrf, ...fields }).toString(),
  });
const quarter = { from: '2026-10-01', to: '2026-12-31' };
const browser = {
  jsUserAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)',
  deviceId: 'beec798b-b366-47fa-b1f8-92cede14a1ce',
  screens: 'width=390&height=844&scaling-factor=3&colour-depth=24',
  windowSize: 'width=390&height=664',
  timezone: 'UTC+00:00',
};

test('the owner connects shopkeep to HMRC; a forged way back is refused', async () => {
  assert.match((await page('/books/vat?from=2026-10-01&to=2026-12-31')).body, /Connect to HMRC/);
  const start = await page('/books/hmrc/connect');
  assert.equal(start.statusCode, 303);
  const authorize = new URL(String(start.headers.location));
  assert.equal(authorize.origin, hmrc.baseUrl);
  assert.equal(authorize.searchParams.get('scope'), 'read:vat write:vat');
  // A way back with another state is not the one shopkeep asked for.
  const forged = await page(`/books/hmrc/callback?code=x&state=not-ours`);
  assert.match(decodeURIComponent(String(forged.headers.location)), /not the one shopkeep asked for/);
  const again = new URL(String((await page('/books/hmrc/connect')).headers.location));
  // HMRC's page (the sandbox signs its test user in) sends the owner back with a code.
  const granted = await fetch(again, { redirect: 'manual' });
  assert.equal(granted.status, 303);
  const back = new URL(granted.headers.get('location')!);
  const done = await page(`${back.pathname}${back.search}`);
  assert.match(decodeURIComponent(String(done.headers.location)), /Connected to HMRC/);
  assert.match((await page('/books/vat?from=2026-10-01&to=2026-12-31')).body, /Send this return to HMRC/);
});

test('the return goes to HMRC with its fraud prevention headers, is filed with the receipt, and only once', async () => {
  const noBrowser = await form('/books/vat-return/submit', quarter);
  assert.match(
    decodeURIComponent(String(noBrowser.headers.location)),
    /HMRC needs a few facts from your browser/,
  );
  assert.equal(hmrc.returns.length, 0, 'nothing was sent');
  hmrc.expireAccessTokens();
  const sent = await form('/books/vat-return/submit', { ...quarter, ...browser });
  assert.match(
    decodeURIComponent(String(sent.headers.location)),
    /HMRC has the return for 2026-10-01 to 2026-12-31 \(receipt 100000000001\)/,
  );
  assert.equal(hmrc.returns.length, 1);
  const [submitted] = hmrc.returns;
  assert.deepEqual(submitted!.body, {
    periodKey: '26A4',
    vatDueSales: 0,
    vatDueAcquisitions: 0,
    totalVatDue: 0,
    vatReclaimedCurrPeriod: 50,
    netVatDue: 50,
    totalValueSalesExVAT: 0,
    totalValuePurchasesExVAT: 250,
    totalValueGoodsSuppliedExVAT: 0,
    totalAcquisitionsExVAT: 0,
    finalised: true,
  });
  assert.equal(submitted!.headers['gov-client-connection-method'], 'WEB_APP_VIA_SERVER');
  assert.equal(submitted!.headers['gov-client-device-id'], browser.deviceId);
  assert.match(submitted!.headers['gov-vendor-version']!, /^shopkeep=/);
  const vat = (
    await server.app.inject({
      url: '/api/v1/ledger/reports/vat-return?from=2026-10-01&to=2026-12-31',
      headers: { cookie: owner.cookie },
    })
  ).json();
  assert.deepEqual([vat.filed.periodKey, vat.filed.receipt], ['26A4', '100000000001']);
  const twice = await form('/books/vat-return/submit', { ...quarter, ...browser });
  assert.match(decodeURIComponent(String(twice.headers.location)), /was filed on/);
  assert.equal(hmrc.returns.length, 1);
  const other = await form('/books/vat-return/submit', { from: '2027-01-01', to: '2027-03-31', ...browser });
  assert.match(
    decodeURIComponent(String(other.headers.location)),
    /HMRC expects no return for 2027-01-01 to 2027-03-31/,
  );
});
