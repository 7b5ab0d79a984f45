// The sandbox: local simulators of the external services, started by `shopkeep sandbox` (and by
// `npm start` while nothing is connected), with the sample catalog. Nothing leaves the machine.
// Later modules add their simulators here (Meta, ...).
import { ResticRestServer } from './restic-rest.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TelegramSimulator } from './telegram.ts';
import { ShopifySimulator } from './shopify/index.ts';
import type { Utm } from './shopify/model.ts';
import { AkauntingSimulator } from './akaunting.ts';
import { MetaSimulator } from './meta.ts';
import { TikTokSimulator } from './tiktok.ts';
import { LinkedInSimulator } from './linkedin.ts';

export const SANDBOX_OWNER_CHAT = 1001;
/** Where the sandbox shop's product photos are served (sandbox-pages.ts). */
export const SANDBOX_PHOTOS = '/sandbox/shopify/photos';

export interface Sandbox {
  /** Names of the simulated services, for the start message. */
  names: string[];
  /** Variables that point shopkeep's clients at the simulators; they win over the configuration. */
  env: Record<string, string>;
  telegram: TelegramSimulator;
  shopify: ShopifySimulator;
  akaunting: AkauntingSimulator;
  meta: MetaSimulator;
  tiktok: TikTokSimulator;
  linkedin: LinkedInSimulator;
  /** The off-site backup server (restic's REST server, append-only), its storage beside the data directory. */
  backupServer: ResticRestServer;
  backupDir: string;
  stop(): Promise<void>;
}

/** Not a secret: the sandbox's backups hold only the simulated shop. A real shop chooses its own. */
export const SANDBOX_BACKUP_PASSPHRASE = 'sandbox backups hold a simulated shop';

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

/** `publicUrl` is shopkeep's own address: the shop's product photos are served under it (sandbox pages). */
export async function startSandbox(dataDir: string, publicUrl: string): Promise<Sandbox> {
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
    photosUrl: `${publicUrl}${SANDBOX_PHOTOS}`,
  });
  const akauntingLogin = { email: 'api@sandbox-books.example', password: randomBytes(12).toString('hex') };
  const akaunting = await AkauntingSimulator.start(akauntingLogin);
  const social = await startSocialPlatforms();
  // Beside the data directory, not in it: deleting the data directory (a dead SSD) leaves the backups.
  const backupDir = `${path.resolve(dataDir)}.backups`;
  const backupServer = new ResticRestServer({ dir: backupDir, appendOnly: true });
  const backupUrl = await backupServer.start();
  // The links the shop's Facebook and LinkedIn posts carry bring some of the live customers.
  shopify.promote(() =>
    [
      ...social.meta.published().map((post) => post.caption),
      ...social.linkedin.published().map((post) => post.commentary),
    ].flatMap(linkOf),
  );
  return {
    names: [
      `Shopify (${shopify.shopDomain}: a year of orders, new ones arriving live; play a customer at /sandbox/shopify)`,
      'Telegram (play the owner at /sandbox/telegram)',
      'Akaunting (the daily summaries the books push; see /sandbox/akaunting)',
      'Instagram and Facebook (Graph API), TikTok and LinkedIn (the week’s posts go out to them; see /social)',
      `an off-site backup server, append-only (backups every 6 hours to ${backupDir}; pull its network at /sandbox/backups)`,
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
      ...social.env,
      SHOPKEEP_BACKUP_TARGET: `rest:${backupUrl}/shopkeep/`,
      SHOPKEEP_BACKUP_PASSPHRASE: SANDBOX_BACKUP_PASSPHRASE,
    },
    backupServer,
    backupDir,
    telegram,
    shopify,
    akaunting,
    meta: social.meta,
    tiktok: social.tiktok,
    linkedin: social.linkedin,
    async stop() {
      shopify.stopLiveStream();
      await Promise.all([
        telegram.stop(),
        shopify.stop(),
        akaunting.stop(),
        social.meta.stop(),
        social.tiktok.stop(),
        social.linkedin.stop(),
        backupServer.stop(),
      ]);
    },
  };
}

/** The social platforms the sandbox shop posts to, with tokens made for this run. */
async function startSocialPlatforms() {
  const secret = () => randomBytes(16).toString('hex');
  const ids = { instagram: '17841400000000001', page: '100000000000001', organization: '2414183' };
  const tokens = {
    instagram: `IGQ${secret()}`,
    page: `EAAP${secret()}`,
    tiktok: `act.${secret()}`,
    refresh: `rft.${secret()}`,
    linkedin: `AQV${secret()}`,
  };
  const tiktokApp = { key: `sbx${secret().slice(0, 12)}`, secret: secret() };
  const meta = await MetaSimulator.start({
    instagramAccountId: ids.instagram,
    instagramToken: tokens.instagram,
    facebookPageId: ids.page,
    pageToken: tokens.page,
    processingPolls: 1,
  });
  const tiktok = await TikTokSimulator.start({
    accessToken: tokens.tiktok,
    refreshToken: tokens.refresh,
    clientKey: tiktokApp.key,
    clientSecret: tiktokApp.secret,
    processingPolls: 1,
  });
  const linkedin = await LinkedInSimulator.start({
    accessToken: tokens.linkedin,
    organizationId: ids.organization,
  });
  return {
    meta,
    tiktok,
    linkedin,
    env: {
      META_GRAPH_API_BASE_URL: meta.baseUrl,
      INSTAGRAM_ACCOUNT_ID: ids.instagram,
      INSTAGRAM_ACCESS_TOKEN: tokens.instagram,
      FACEBOOK_PAGE_ID: ids.page,
      FACEBOOK_PAGE_ACCESS_TOKEN: tokens.page,
      TIKTOK_API_BASE_URL: tiktok.baseUrl,
      TIKTOK_ACCESS_TOKEN: tokens.tiktok,
      TIKTOK_REFRESH_TOKEN: tokens.refresh,
      TIKTOK_CLIENT_KEY: tiktokApp.key,
      TIKTOK_CLIENT_SECRET: tiktokApp.secret,
      // An unaudited TikTok app may only post privately.
      TIKTOK_PRIVACY_LEVEL: 'SELF_ONLY',
      LINKEDIN_API_BASE_URL: linkedin.baseUrl,
      LINKEDIN_ORGANIZATION_ID: ids.organization,
      LINKEDIN_ACCESS_TOKEN: tokens.linkedin,
    },
  };
}

/** The UTM tags of the shop's link in a post's text, when it has one. */
function linkOf(text: string): Utm[] {
  const match = /[?&]utm_source=([\w-]+)&utm_medium=social&utm_campaign=([\w-]+)&utm_content=([\w-]+)/.exec(
    text,
  );
  return match
    ? [{ source: match[1]!, medium: 'social', campaign: match[2]!, content: match[3]!, term: null }]
    : [];
}
