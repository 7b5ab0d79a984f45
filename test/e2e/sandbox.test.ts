// `shopkeep sandbox` as a newcomer meets it: a simulated Shopify shop with a year of orders imported
// and new orders arriving live, the QA gate, and the simulated Telegram chat in the dashboard where
// they play the owner and approve a post.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedServerEnv, freePort, runCli, startServe, type RunningServer } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { chromium } from 'playwright-core';
import { currentStep, totpCode } from '../../src/platform/accounts/totp.ts';
import { mailEnv, startDovecot, startSmtp, type Dovecot, type SmtpRecorder } from '../support/mail.ts';
import { inbox } from '../support/mail-fixtures.ts';

const CHROMIUM = process.env.SHOPKEEP_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp/screenshots');

/**
 * Elements that reach past the right edge of the screen without a scroll box around them (run in the
 * page; a string, so the test runner's compiled helpers do not go with it).
 */
const WIDER_THAN_THE_SCREEN = `(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => {
    for (let at = element; at && at !== document.body; at = at.parentElement) {
      const overflow = getComputedStyle(at).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((element) => element.getBoundingClientRect().right > width + 1 && !scrolls(element.parentElement))
    .filter((element) => getComputedStyle(element).position !== 'fixed')
    .map((element) => '<' + element.tagName.toLowerCase() + ' class="' + element.className + '">' + (element.textContent || '').trim().slice(0, 40))
    .slice(0, 5);
})()`;

let dataDir: string;
let server: RunningServer;
let base: string;
let env: Record<string, string>;
/** The owner's session, from the first test. */
let ownerCsrf = '';
let ownerCookie: string | undefined;
let dovecot: Dovecot;
let smtp: SmtpRecorder;
/** A mail reply that waits for the owner, for the page walk. */
let pendingMail = '';

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sk-sandbox-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The owner approves every post here (no draft can score above 100), so the card always comes.
  // The shop's mailbox is a real Dovecot; replies go to a recording SMTP server.
  dovecot = await startDovecot();
  smtp = await startSmtp();
  env = await embeddedServerEnv(dataDir, port, {
    SHOPKEEP_QA_AUTO_APPROVE_ABOVE: '100',
    ...mailEnv(dovecot.port, smtp.port, {
      MAIL_AUTHSERV_ID: 'mx.hairshop.test',
      SHOPKEEP_MAIL_AUTO_SEND: 'product_question',
    }),
  });
  server = await startServe(env, 60_000, 'sandbox');
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  rmSync(dataDir, { recursive: true, force: true });
  await smtp?.stop();
  await dovecot?.stop();
});

test('in the sandbox, the shop is imported, orders arrive live, and a post for one of its products is approved on Telegram', async () => {
  assert.match(server.output(), /Sandbox: nothing leaves this machine/);
  const added = await runCli(
    ['user', 'add', '--email', 'owner@salon.example', '--role', 'owner', '--json'],
    env,
    'a long owner password\n',
  );
  const { totpSecret } = JSON.parse(added.stdout);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'owner@salon.example',
      password: 'a long owner password',
      totp: totpCode(totpSecret, currentStep(Date.now())),
    }),
  });
  assert.equal(login.status, 200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  ownerCookie = cookie;
  ownerCsrf = csrfToken;
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    redirect: 'manual' as const,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken, ...fields }).toString(),
  });

  interface Product {
    id: number;
    title: string;
    status: string;
    variants: { available: number | null }[];
  }
  interface Answers {
    sync: { lastImport: { status: string } | null };
    orders: { orders: { name: string }[] };
    products: { products: Product[] };
    pnl: { revenue: number; net: number; currency: string };
    stock: { total: number; lines: { quantity: number }[] };
  }
  const api = <K extends keyof Answers>(_kind: K, url: string) =>
    fetch(`${base}${url}`, { headers: { cookie } }).then((r) => r.json() as Promise<Answers[K]>);
  // The import of the simulated shop's year runs by itself after start.
  await waitFor(
    async () => (await api('sync', '/api/v1/shop/sync')).lastImport?.status === 'done',
    180_000,
    'the sandbox shop to be imported',
  );
  const yearAgo = new Date(Date.now() - 330 * 86_400_000).toISOString().slice(0, 10);
  assert.equal(
    (await api('orders', `/api/v1/shop/orders?to=${yearAgo}&limit=1`)).orders.length,
    1,
    'orders from a year ago',
  );
  const { products } = await api('products', '/api/v1/shop/products');
  assert.ok(products.length >= 35, `${products.length} products`);
  // The year of orders becomes books, posted from the import's events.
  const lastMonth = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  await waitFor(
    async () => (await api('pnl', `/api/v1/ledger/reports/pnl?from=${lastMonth}&to=${monthAgo}`)).revenue > 0,
    120_000,
    'the year of orders in the books',
  );

  // Stock on the shelves before the year began opens from Shopify's count once the import is booked:
  // nothing is left below zero on the books.
  const today = new Date().toISOString().slice(0, 10);
  await waitFor(
    async () => {
      const stock = await api('stock', `/api/v1/ledger/reports/stock?at=${today}`);
      return stock.total > 0 && stock.lines.every((line) => line.quantity >= 0);
    },
    120_000,
    'the opening stock on the books',
  );
  // The first import does not flood the owner with "sold more than the books hold": those sales were
  // booked before the opening stock counted them back in.
  const notices = (await fetch(`${base}/api/v1/notifications`, { headers: { cookie } }).then((r) =>
    r.json(),
  )) as {
    notifications: { kind: string }[];
  };
  assert.deepEqual(
    notices.notifications.filter((notice) => notice.kind === 'ledger.stock_negative'),
    [],
    'no stock alerts from the first import',
  );

  // The last week's summaries go to the simulated Akaunting from the Books page.
  const pushed = await fetch(`${base}/books/akaunting`, form({}));
  assert.equal(pushed.status, 303);
  assert.match(decodeURIComponent(pushed.headers.get('location')!), /Akaunting: \d+ transaction\(s\) pushed/);
  const akaunting = await fetch(`${base}/sandbox/akaunting`, {
    headers: { cookie, accept: 'text/html' },
  }).then((r) => r.text());
  assert.match(akaunting, /SK-\d{4}-\d{2}-\d{2}-SALES/);

  // A customer orders now: the simulated Shopify sends signed webhooks and the order shows up.
  const ordered = await fetch(`${base}/sandbox/shopify/order`, form({}));
  assert.equal(ordered.status, 303);
  const name = new URL(ordered.headers.get('location')!, base).searchParams.get('q');
  assert.match(name ?? '', /^#\d+$/);
  await waitFor(
    async () =>
      (await api('orders', `/api/v1/shop/orders?q=${encodeURIComponent(name!)}`)).orders.length === 1,
    30_000,
    `order ${name} to arrive by webhook`,
  );
  const ordersPage = await fetch(`${base}/orders`, { headers: { cookie, accept: 'text/html' } }).then((r) =>
    r.text(),
  );
  assert.ok(ordersPage.includes(name!), 'the new order is on the Orders page');

  const product = products.find(
    (p) => p.status === 'active' && p.variants.some((v) => (v.available ?? 0) > 0),
  )!;
  const drafted = await fetch(
    `${base}/approvals/draft`,
    form({ channel: 'instagram', productId: String(product.id) }),
  );
  assert.equal(drafted.status, 303);
  const chatPage = () =>
    fetch(`${base}/sandbox/telegram`, { headers: { cookie, accept: 'text/html' } }).then((r) => r.text());
  // The product's photo comes first, then the card with its buttons: wait for the buttons.
  const card = /name="messageId" value="(\d+)" \/><input type="hidden" name="data" value="(ap:[0-9a-f-]+:y)"/;
  const [, messageId, data] = await waitFor(
    async () => {
      const body = await chatPage();
      return body.includes(product.title.replaceAll('&', '&amp;'))
        ? (card.exec(body) ?? undefined)
        : undefined;
    },
    30_000,
    'the card in the simulated chat',
  );
  const pressed = await fetch(`${base}/sandbox/telegram/press`, form({ messageId: messageId!, data: data! }));
  assert.equal(pressed.status, 303);
  await waitFor(
    async () => (await chatPage()).includes('✅ Approved by'),
    30_000,
    'the card to show the approval',
  );
  const approvals = await fetch(`${base}/api/v1/approvals?status=approved`, { headers: { cookie } }).then(
    (r) => r.json(),
  );
  assert.equal((approvals as { approvals: unknown[] }).approvals.length, 1);
});

test('the shop’s mailbox: mixed mail sorted with reasons, automatic mail never answered, a draft approved on Telegram', async () => {
  const cookie = ownerCookie!;
  const fixtures = inbox();
  for (const fixture of fixtures) await dovecot.append(fixture.raw);
  interface Listed {
    messages: {
      id: number;
      subject: string;
      category: string | null;
      reason: string | null;
      reply: { status: string; text?: string; reason?: string; approvalId?: string };
    }[];
  }
  const list = () =>
    fetch(`${base}/api/v1/mail/messages?limit=100`, { headers: { cookie } }).then(
      (r) => r.json() as Promise<Listed>,
    );
  const sorted = await waitFor(
    async () => {
      const { messages } = await list();
      return messages.length === fixtures.length && messages.every((m) => m.category) ? messages : undefined;
    },
    60_000,
    'the mail sorted',
  );
  const bySubject = (subject: string) => sorted.find((m) => m.subject === subject)!;
  const expected: [string, string][] = [
    ['Where is my order #1001?', 'order_status'],
    ['Automatic reply: Our new spring range', 'automated'],
    ['This week: the salon trends of 2027', 'newsletter'],
    ['Undelivered Mail Returned to Sender', 'bounce'],
    ['Invoice INV-2291 from Argan Supplies Ltd', 'supplier_invoice'],
    ['Trade account for our salon', 'wholesale'],
    ['Damaged bottle', 'return_refund'],
  ];
  for (const [subject, category] of expected) assert.equal(bySubject(subject).category, category, subject);
  // Drafts are written for what people wrote; none for automatic or bulk mail.
  const drafted = await waitFor(
    async () => {
      const { messages } = await list();
      const waiting = messages.filter((m) => m.reply.status === 'pending_approval');
      return waiting.length >= 6 ? messages : undefined;
    },
    60_000,
    'the drafts',
  );
  for (const subject of [
    'Automatic reply: Our new spring range',
    'This week: the salon trends of 2027',
    'Undelivered Mail Returned to Sender',
    'Rank #1 on Google guaranteed',
  ])
    assert.equal(drafted.find((m) => m.subject === subject)!.reply.status, 'none', subject);
  // The spoofed message about an order gets a reply that asks to verify, and no order details.
  const spoofed = drafted.find((m) => m.subject === 'Order #1001 address change')!;
  assert.match(spoofed.reply.text!, /order number and the postcode/);
  assert.match(spoofed.reply.reason!, /DMARC/);
  pendingMail = `/mail/messages/${spoofed.id}`;
  assert.equal(
    smtp.sent.length,
    0,
    'nothing went out without the owner (the gate sends everything to them here)',
  );

  // On Telegram: the card for Tom's return shows what he wrote; the owner approves it.
  // (The owner has many social drafts waiting too: the reply names its own approval.)
  const tomMessage = await waitFor(
    async () => {
      const { messages } = await list();
      const found = messages.find((m) => m.subject === 'Damaged bottle');
      return found?.reply.approvalId ? found : undefined;
    },
    60_000,
    'Tom’s reply waiting for approval',
  );
  const tom = { id: tomMessage.reply.approvalId! };
  const chatPage = () =>
    fetch(`${base}/sandbox/telegram`, { headers: { cookie, accept: 'text/html' } }).then((r) => r.text());
  const card = new RegExp(
    `name="messageId" value="(\\d+)" /><input type="hidden" name="data" value="ap:${tom.id}:y"`,
  );
  const [, messageId] = await waitFor(
    async () => card.exec(await chatPage()) ?? undefined,
    30_000,
    'the mail card in the chat',
  );
  assert.match(await chatPage(), /arrived broken and leaked everywhere/);
  const pressed = await fetch(`${base}/sandbox/telegram/press`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: ownerCsrf, messageId: messageId!, data: `ap:${tom.id}:y` }).toString(),
  });
  assert.equal(pressed.status, 303);
  await waitFor(() => smtp.sent.some((m) => m.to.includes('tom@example.net')), 30_000, 'the reply to Tom');
  assert.equal(smtp.sent.length, 1);
  await waitFor(async () => (await dovecot.messages('Sent')).length === 1, 30_000, 'the reply filed in Sent');
});

test('the sandbox plans a week on the four simulated platforms, and a post goes out and shows in the calendar', async () => {
  const headers = { cookie: ownerCookie!, 'x-csrf-token': ownerCsrf, 'content-type': 'application/json' };
  interface Posts {
    posts: {
      id: string;
      approvalId: string | null;
      channel: string;
      format: string;
      status: string;
      publishAt: string;
      platformPostId: string | null;
    }[];
  }
  const posts = () =>
    fetch(`${base}/api/v1/social/posts?limit=500`, { headers: { cookie: ownerCookie! } }).then(
      (r) => r.json() as Promise<Posts>,
    );
  // Planned once the catalog is in, written through the gate; feed posts the gate is unsure of wait for the owner.
  let seen = '';
  const planned = await waitFor(
    async () => {
      const { posts: all } = await posts();
      const tally = new Map<string, number>();
      for (const p of all)
        tally.set(
          `${p.channel} ${p.format} ${p.status}`,
          (tally.get(`${p.channel} ${p.format} ${p.status}`) ?? 0) + 1,
        );
      seen = JSON.stringify([...tally]);
      const channels = new Set(
        all.filter((p) => ['scheduled', 'drafted'].includes(p.status)).map((p) => p.channel),
      );
      const waiting = all.some((p) => ['planned', 'approved'].includes(p.status));
      return channels.size === 4 && !waiting && all.filter((p) => p.format === 'story').length >= 90
        ? all
        : undefined;
    },
    180_000,
    'a week planned and scheduled on all four platforms',
  ).catch((error: Error) => {
    throw new Error(`${error.message}; the posts: ${seen}`);
  });
  // The owner approves an Instagram post the gate sent them (or it was approved by the gate itself).
  const post = planned.find((p) => p.channel === 'instagram' && p.format === 'feed')!;
  if (post.status === 'drafted') {
    const decided = await fetch(`${base}/api/v1/approvals/${post.approvalId}/decision`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'approve' }),
    });
    assert.equal(decided.status, 200, await decided.text());
  }
  await waitFor(
    async () => (await posts()).posts.find((p) => p.id === post.id && p.status === 'scheduled'),
    60_000,
    'the approved post scheduled, its images prepared',
  );
  const sent = await fetch(`${base}/api/v1/social/posts/${post.id}/publish-now`, {
    method: 'POST',
    headers: { cookie: ownerCookie!, 'x-csrf-token': ownerCsrf },
  });
  assert.equal(sent.status, 200, await sent.text());
  const published = await waitFor(
    async () => (await posts()).posts.find((p) => p.id === post.id && p.status === 'published'),
    60_000,
    'the post published on the simulated Instagram',
  );
  assert.match(published.platformPostId ?? '', /^\d+$/);
  const day = new Date(Date.now()).toISOString().slice(0, 10);
  const calendar = await fetch(`${base}/social/calendar?view=week&start=${day}`, {
    headers: { cookie: ownerCookie! },
  }).then((r) => r.text());
  assert.match(calendar, new RegExp(`href="/social/posts/${post.id}"`));
  assert.match(calendar, /data-status="published"/);
});

test('every page at phone size: no console error or CSP violation, nothing wider than the screen outside a scroll box, no money without its currency', async () => {
  assert.ok(ownerCookie, 'the owner logged in in the test before');
  const [name, value] = ownerCookie.split('=') as [string, string];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const problems: string[] = [];
    let where = '';
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${where}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${where}: ${error.message}`));
    await page.goto(`${base}/`);
    // Every page the menu offers, and the pages those lead to that the menu does not name.
    const menu = await page
      .locator('nav a')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')!));
    assert.ok(menu.length >= 12, menu.join(' '));
    await page.goto(`${base}/orders`);
    const firstOrder = await page.locator('table a[href^="/orders/"]').first().getAttribute('href');
    assert.ok(firstOrder, 'an order to open');
    await page.goto(`${base}/social`);
    const firstPost = await page
      .locator('[data-testid="queue"] a[href^="/social/posts/"]')
      .first()
      .getAttribute('href');
    assert.ok(firstPost, 'a post to open');
    const pages = [
      ...menu,
      firstOrder,
      firstPost,
      '/books/vat',
      '/books/cash',
      '/books/margins',
      '/books/stock',
      '/books/expenses',
      '/books/journals',
      '/books/bank',
      '/books/owed',
      '/books/review',
      '/books/periods',
      '/books/settings',
      '/inbox?severity=warning',
      '/inbox?severity=critical',
      '/ai/history',
      '/social/calendar',
      '/social/calendar?view=month',
      '/social/analytics',
      '/social/new',
      '/books/account?code=Income%3ASales',
      '/mail/voice',
      pendingMail,
      '/api/docs',
    ];
    for (const url of pages) {
      where = url;
      const response = await page.goto(`${base}${url}`);
      assert.equal(response?.status(), 200, url);
      assert.ok(await page.locator('.banner.sandbox').isVisible(), `${url}: the sandbox banner`);
      const wide = (await page.evaluate(WIDER_THAN_THE_SCREEN)) as string[];
      assert.deepEqual(wide, [], `${url}: wider than the screen, outside a scroll box`);
      const text = await page.locator('main').innerText();
      // An amount of money is shown with its currency: £1,234.56 or 1,234.56 EUR. Bare decimals with two
      // places that are not percentages, rates or quantities are money without one.
      const bare = [
        ...text.matchAll(/(^|[^£$€\w.,-])(-?\d{1,3}(?:,\d{3})*\.\d{2})(?![\d%])(?!\s?(?:[A-Z]{3}\b|%))/g),
      ].map((match) =>
        text.slice(Math.max(0, match.index - 30), match.index + match[0].length + 10).replace(/\s+/g, ' '),
      );
      assert.deepEqual(bare, [], `${url}: money without its currency`);
      await page.screenshot({
        path: path.join(
          SCREENSHOTS,
          `sandbox-${url.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}.png`,
        ),
        fullPage: true,
      });
    }
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
    await context.close();
  } finally {
    await browser.close();
  }
});

test('the sandbox stops cleanly: the bot, the simulators and the embedded PostgreSQL', async () => {
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.equal(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')), false, 'PostgreSQL was stopped');
});
