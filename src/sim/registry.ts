// The sandbox: local simulators of the external services, started by `shopkeep sandbox` (and by
// `npm start` while nothing is connected), with the sample catalog. Nothing leaves the machine.
// Later modules add their simulators here (Meta, ...).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TelegramSimulator } from './telegram.ts';
import { ShopifySimulator } from './shopify/index.ts';
import { AkauntingSimulator } from './akaunting.ts';

export const SANDBOX_OWNER_CHAT = 1001;

export interface Sandbox {
  /** Names of the simulated services, for the start message. */
  names: string[];
  /** Variables that point shopkeep's clients at the simulators; they win over the configuration. */
  env: Record<string, string>;
  telegram: TelegramSimulator;
  shopify: ShopifySimulator;
  akaunting: AkauntingSimulator;
  stop(): Promise<void>;
}

/** A new order in the sandbox shop about this often (with now and then a fulfilment or a refund). */
export const SANDBOX_ORDER_EVERY_MS = 45_000;

/**
 * What makes the sandbox shop the same shop after a restart: the moment its year of history was
 * generated up to (the same seed and moment give the same orders, payments and ids) and its keys.
 * Kept in the data directory; without it a restart would invent a different history for the same
 * order ids, and the books would see payments that never happened.
 */
interface SandboxState {
  historyUntil: string;
  adminToken: string;
  apiSecret: string;
}

export function sandboxState(dataDir: string): SandboxState {
  const file = path.join(dataDir, 'sandbox.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxState>;
    if (stored.historyUntil && stored.adminToken && stored.apiSecret) return stored as SandboxState;
  }
  const state: SandboxState = {
    historyUntil: new Date().toISOString(),
    adminToken: `shpat_sandbox_${randomBytes(16).toString('hex')}`,
    apiSecret: `shpss_sandbox_${randomBytes(16).toString('hex')}`,
  };
  // The first start: the simulators start before anything else has made the data directory.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

export async function startSandbox(dataDir: string): Promise<Sandbox> {
  const state = sandboxState(dataDir);
  const token = `${100000 + Math.floor(Math.random() * 900000)}:sandbox_${randomBytes(16).toString('hex')}`;
  const telegram = await TelegramSimulator.start({ token });
  const shopify = await ShopifySimulator.start({
    adminToken: state.adminToken,
    apiSecret: state.apiSecret,
    historyUntil: Date.parse(state.historyUntil),
    historyDays: 365,
    // A Shopify Plus-sized query budget: the sandbox shows the features, not a plan's rate limit.
    bucket: { maximumAvailable: 20_000, restoreRate: 1000 },
  });
  const akauntingLogin = { email: 'api@sandbox-books.example', password: randomBytes(12).toString('hex') };
  const akaunting = await AkauntingSimulator.start(akauntingLogin);
  return {
    names: [
      `Shopify (${shopify.shopDomain}: a year of orders, new ones arriving live; play a customer at /sandbox/shopify)`,
      'Telegram (play the owner at /sandbox/telegram)',
      'Akaunting (the daily summaries the books push; see /sandbox/akaunting)',
    ],
    env: {
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(SANDBOX_OWNER_CHAT),
      SHOPIFY_SHOP: shopify.shopDomain,
      SHOPIFY_ADMIN_TOKEN: shopify.adminToken,
      SHOPIFY_API_SECRET: shopify.apiSecret,
      SHOPIFY_API_BASE_URL: shopify.baseUrl,
      AKAUNTING_URL: akaunting.baseUrl,
      AKAUNTING_EMAIL: akauntingLogin.email,
      AKAUNTING_PASSWORD: akauntingLogin.password,
    },
    telegram,
    shopify,
    akaunting,
    async stop() {
      shopify.stopLiveStream();
      await Promise.all([telegram.stop(), shopify.stop(), akaunting.stop()]);
    },
  };
}
