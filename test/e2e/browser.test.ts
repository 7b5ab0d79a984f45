// A real browser (Debian's Chromium) on a phone-sized screen: the owner opens the setup link,
// creates the account, enrols TOTP from the page, sees recovery codes, logs out and logs in again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { embeddedServerEnv, freePort, startServe, type RunningServer } from '../support/cli.ts';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { MODULES } from '../../src/modules/index.ts';

const CHROMIUM = process.env.SHOPKEEP_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp/screenshots');

let dataDir: string;
let server: RunningServer;
let browser: Browser;
let baseUrl: string;

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set SHOPKEEP_CHROMIUM)`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-browser-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  server = await startServe(await embeddedServerEnv(dataDir, port, { SHOPKEEP_PUBLIC_URL: baseUrl }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

test('the owner sets up the account with TOTP in a browser and logs in again', async () => {
  const setupLink = server.output().match(/(http:\/\/\S+\/setup\?token=[\w-]+)/)?.[1];
  assert.ok(setupLink, 'serve printed a setup link');
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(setupLink);
  await page.getByLabel('Email').fill('owner@salon.example');
  await page.getByLabel(/^Password \(at least/).fill('a long owner password');
  await page.getByLabel('Password again').fill('a long owner password');
  await page.getByRole('button', { name: 'Create account' }).click();

  await page.waitForURL(/\/enrol$/);
  assert.ok(await page.locator('.qr svg').isVisible(), 'the QR code is shown');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'enrol.png'), fullPage: true });
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  const enrolStep = currentStep(Date.now());
  await page.getByLabel('6-digit code').fill(totpCode(secret, enrolStep));
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();

  const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
  assert.equal(codes.length, 10);
  await page.getByRole('link', { name: 'Continue to the dashboard' }).click();
  await page.waitForURL(`${baseUrl}/`);
  assert.equal(await page.locator('h1').textContent(), 'Home');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'home.png'), fullPage: true });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login$/);
  await page.getByLabel('Email').fill('owner@salon.example');
  await page.getByLabel('Password').fill('a long owner password');
  // The enrolment code is spent; the next step's code is within the allowed drift.
  await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, enrolStep + 1));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${baseUrl}/`);

  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.equal(me.user.email, 'owner@salon.example');
  assert.equal(me.user.twoFactorEnabled, true);

  // The menu opens on a phone and every module's entries are there.
  await page.locator('.menu summary').click();
  const labels = MODULES.flatMap((module) => module.menu ?? []).map((entry) => entry.label);
  assert.ok(labels.length >= 10, labels.join());
  for (const label of labels) {
    assert.ok(await page.locator('nav').getByRole('link', { name: label, exact: true }).isVisible(), label);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'menu.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  await context.close();
});
