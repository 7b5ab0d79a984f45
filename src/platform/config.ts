// Configuration: environment variables, a `.env` file and `NAME_FILE` variants (Docker secrets),
// parsed and typed once at start. A bad value stops start-up with a message naming the variable.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './errors.ts';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  embeddedPgPort: number;
  timezone: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  masterKey: Buffer | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /**
   * Which hops of X-Forwarded-For to believe: false (none, the default), the number of proxies in
   * front of shopkeep, or the proxies' own addresses. Never "every hop": a proxy that appends would let
   * a client choose the address that is throttled, logged, audited and banned.
   */
  trustProxy: false | number | string[];
  mqttUrl: string | undefined;
  anonymousRateLimitPerMinute: number;
  ai: AiConfig;
  qa: QaConfig;
  telegram: TelegramConfig;
  shopify: ShopifyConfig;
  /** How stock sold is costed: first in, first out (first to expire first), or the running average. */
  costing: 'fifo' | 'average';
  /** Set: each day's sales and expenses are pushed to this Akaunting as two summary transactions. */
  akaunting: AkauntingConfig | undefined;
}

export interface AkauntingConfig {
  baseUrl: string; // the Akaunting site; the API is under /api
  email: string;
  password: string;
  companyId: number;
  /** Unset: the first enabled account, and the first enabled income and expense categories. */
  accountId: number | undefined;
  incomeCategoryId: number | undefined;
  expenseCategoryId: number | undefined;
  paymentMethod: string;
}

/** The connection may also be entered in the dashboard (kept in the vault); these variables win. */
export interface ShopifyConfig {
  shop: string | undefined;
  adminToken: string | undefined;
  apiSecret: string | undefined;
  baseUrl: string | undefined;
  /** Minutes between reconciliation runs. */
  reconcileMinutes: number;
  /** Changes younger than this are left to their webhooks; reconciliation counts only older ones as missed. */
  reconcileGraceSeconds: number;
  /** A variant at or below this many units is low on stock, unless it has its own threshold. */
  lowStockDefault: number;
}

export interface TelegramConfig {
  token: string | undefined;
  apiRoot: string;
  /** Only these chats may act; messages from any other are ignored and logged. */
  allowedChatIds: number[];
  /** Set: Telegram posts updates to /webhooks/telegram with this secret, instead of long polling. */
  webhookSecret: string | undefined;
}

export interface AiConfig {
  provider: 'gemini' | 'openai' | 'anthropic' | 'offline';
  timeoutMs: number;
  gemini: { apiKey: string | undefined; baseUrl: string; model: string; embeddingModel: string };
  /** Configured when it has a key or a base URL of its own (a local Ollama or llama.cpp needs no key). */
  openai: {
    apiKey: string | undefined;
    baseUrl: string;
    configured: boolean;
    model: string;
    embeddingModel: string;
    transcriptionModel: string;
  };
  anthropic: { apiKey: string | undefined; baseUrl: string; model: string };
}

export interface QaConfig {
  autoApproveAbove: number;
  regenerateBelow: number;
  maxAttempts: number;
  /** Thresholds of their own for some channels (SHOPKEEP_QA_CHANNEL_THRESHOLDS); the others use the two above. */
  channels: Record<string, { autoApproveAbove: number; regenerateBelow: number }>;
}

type Env = Record<string, string | undefined>;

/** `NAME_FILE` is honoured for shopkeep's own variables only; other programs' *_FILE variables are not ours. */
const OWN_VARIABLES =
  /^(SHOPKEEP_|DATABASE_URL$|SHOPIFY_|GEMINI_|OPENAI_|ANTHROPIC_|TELEGRAM_|TWILIO_|AKAUNTING_|META_|TIKTOK_|LINKEDIN_|GOOGLE_|SMTP_|IMAP_)/;

/** Merges the process environment over `.env` and resolves every `NAME_FILE` variable. */
export function loadEnvironment(processEnv: Env = process.env, cwd = process.cwd()): Env {
  const envFile = processEnv.SHOPKEEP_ENV_FILE ?? path.join(cwd, '.env');
  let fromFile: Env = {};
  if (existsSync(envFile)) {
    try {
      fromFile = parseDotenv(readFileSync(envFile));
    } catch (error) {
      throw new ConfigError('SHOPKEEP_ENV_FILE', `cannot read ${envFile}: ${(error as Error).message}`);
    }
  }
  const env: Env = { ...fromFile, ...processEnv };
  for (const [name, file] of Object.entries(env)) {
    if (!name.endsWith('_FILE') || name === 'SHOPKEEP_ENV_FILE' || file === undefined) continue;
    const target = name.slice(0, -'_FILE'.length);
    if (!OWN_VARIABLES.test(target)) continue;
    if (env[target] !== undefined && env[target] !== '') {
      throw new ConfigError(name, `both ${target} and ${name} are set; keep one`);
    }
    try {
      env[target] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(name, `cannot read the file ${file} (${code})`);
    }
  }
  return env;
}

function webhookSecret(value: string | undefined): string | undefined {
  // Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -. It is the only thing
  // between the internet and the bot's commands, so it must be long enough not to be guessed.
  if (value !== undefined && !/^[A-Za-z0-9_-]{32,256}$/.test(value)) {
    throw new ConfigError(
      'TELEGRAM_WEBHOOK_SECRET',
      `must be 32 to 256 letters, digits, _ and - (${value.length < 32 ? `this one has ${value.length}` : 'this one has other characters'}); make one with: openssl rand -hex 32`,
    );
  }
  return value;
}

/** The channels the QA gate knows (src/modules/ai/qa/channels.ts; a test keeps the two lists equal). */
export const QA_CHANNELS = ['instagram', 'facebook', 'tiktok', 'linkedin', 'telegram', 'email'];

/** "instagram=90/75,email=80/60": per channel, auto-approve above / regenerate below. */
function channelThresholds(value: string | undefined): QaConfig['channels'] {
  const channels: QaConfig['channels'] = {};
  for (const part of (value ?? '')
    .split(',')
    .map((one) => one.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(\d{1,3})\/(\d{1,3})$/.exec(part);
    if (!match)
      throw new ConfigError(
        'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
        `"${part}" is not channel=AUTO/REGENERATE, like instagram=90/75`,
      );
    const [, channel, auto, regenerate] = match as unknown as [string, string, string, string];
    if (!QA_CHANNELS.includes(channel))
      throw new ConfigError(
        'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
        `"${channel}" is not a channel (${QA_CHANNELS.join(', ')})`,
      );
    if (Number(auto) > 100 || Number(regenerate) > Number(auto))
      throw new ConfigError(
        'SHOPKEEP_QA_CHANNEL_THRESHOLDS',
        `${channel}: the thresholds must be 0–100 with regenerate (${regenerate}) not above auto-approve (${auto})`,
      );
    channels[channel] = { autoApproveAbove: Number(auto), regenerateBelow: Number(regenerate) };
  }
  return channels;
}

/** "1" (hops), "127.0.0.1,10.0.0.0/8" (the proxies' addresses), or false/0/unset. */
function trustedProxies(value: string | undefined): Config['trustProxy'] {
  const raw = value?.toLowerCase();
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['true', 'yes', 'on'].includes(raw))
    throw new ConfigError(
      'SHOPKEEP_TRUST_PROXY',
      'true would trust every address in X-Forwarded-For, which a client can write itself; give the number of proxies in front of shopkeep (1 for one nginx) or their addresses (127.0.0.1)',
    );
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10)
      throw new ConfigError('SHOPKEEP_TRUST_PROXY', `${hops} proxies in a row is not plausible; at most 10`);
    return hops;
  }
  return raw.split(',').map((part) => {
    const entry = part.trim();
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (!family || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)))
      throw new ConfigError(
        'SHOPKEEP_TRUST_PROXY',
        `"${entry}" is neither a number of proxies nor an address such as 127.0.0.1 or 10.0.0.0/8`,
      );
    return entry;
  });
}

export function parseConfig(env: Env = loadEnvironment(), cwd = process.cwd()): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, 'is not a valid URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return raw;
  };

  const port = integer('SHOPKEEP_PORT', 8080, 1, 65535);
  const embeddedPgPort = integer('SHOPKEEP_EMBEDDED_PG_PORT', 55432, 1024, 65535);
  if (embeddedPgPort === 5432) {
    throw new ConfigError(
      'SHOPKEEP_EMBEDDED_PG_PORT',
      '5432 belongs to the system PostgreSQL; pick another port',
    );
  }

  const timezone = read('SHOPKEEP_TIMEZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ConfigError(
      'SHOPKEEP_TIMEZONE',
      `"${timezone}" is not an IANA time zone such as Europe/London`,
    );
  }

  const logLevel = (read('SHOPKEEP_LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      'SHOPKEEP_LOG_LEVEL',
      'must be one of fatal, error, warn, info, debug, trace, silent',
    );
  }

  const costing = (read('SHOPKEEP_LEDGER_COSTING') ?? 'fifo') as Config['costing'];
  if (costing !== 'fifo' && costing !== 'average') {
    throw new ConfigError('SHOPKEEP_LEDGER_COSTING', 'must be fifo or average (IAS 2 allows no other)');
  }

  const masterKeyRaw = read('SHOPKEEP_MASTER_KEY');
  let masterKey: Buffer | undefined;
  if (masterKeyRaw !== undefined) {
    masterKey = /^[0-9a-f]{64}$/i.test(masterKeyRaw)
      ? Buffer.from(masterKeyRaw, 'hex')
      : Buffer.from(masterKeyRaw, 'base64');
    if (masterKey.length !== 32) {
      throw new ConfigError('SHOPKEEP_MASTER_KEY', 'must be 32 bytes, as 64 hex digits or base64');
    }
  }

  const provider = (read('SHOPKEEP_AI_PROVIDER') ?? 'gemini') as AiConfig['provider'];
  if (!['gemini', 'openai', 'anthropic', 'offline'].includes(provider)) {
    throw new ConfigError('SHOPKEEP_AI_PROVIDER', 'must be gemini, openai, anthropic or offline');
  }
  const autoApproveAbove = integer('SHOPKEEP_QA_AUTO_APPROVE_ABOVE', 85, 0, 100);
  const regenerateBelow = integer('SHOPKEEP_QA_REGENERATE_BELOW', 70, 0, 100);
  if (regenerateBelow > autoApproveAbove) {
    throw new ConfigError(
      'SHOPKEEP_QA_REGENERATE_BELOW',
      `must not be above SHOPKEEP_QA_AUTO_APPROVE_ABOVE (${autoApproveAbove})`,
    );
  }
  const openaiBase = url('OPENAI_BASE_URL', ['http:', 'https:']);

  const allowedChatIds = (read('TELEGRAM_ALLOWED_CHAT_IDS') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .map((id) => {
      if (!/^-?\d{1,20}$/.test(id))
        throw new ConfigError('TELEGRAM_ALLOWED_CHAT_IDS', `"${id}" is not a chat id (a whole number)`);
      return Number(id);
    });
  const telegramToken = read('TELEGRAM_BOT_TOKEN');
  if (telegramToken && !/^\d+:[\w-]{20,}$/.test(telegramToken)) {
    throw new ConfigError(
      'TELEGRAM_BOT_TOKEN',
      'does not look like a bot token from @BotFather (digits, a colon, then the secret)',
    );
  }
  if (telegramToken && allowedChatIds.length === 0) {
    throw new ConfigError(
      'TELEGRAM_ALLOWED_CHAT_IDS',
      'is needed with TELEGRAM_BOT_TOKEN: the chat ids that may use the bot',
    );
  }

  const shop = read('SHOPIFY_SHOP')?.toLowerCase();
  if (shop !== undefined && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new ConfigError(
      'SHOPIFY_SHOP',
      `expected the shop's myshopify.com domain, such as my-shop.myshopify.com, got "${shop}"`,
    );
  }

  const akauntingUrl = url('AKAUNTING_URL', ['http:', 'https:'])?.replace(/\/$/, '');
  if (akauntingUrl && new URL(akauntingUrl).username)
    throw new ConfigError(
      'AKAUNTING_URL',
      'must not hold a user or password: set AKAUNTING_EMAIL and AKAUNTING_PASSWORD',
    );
  const optionalId = (name: string) => (read(name) === undefined ? undefined : integer(name, 0, 1, 2 ** 31));
  let akaunting: AkauntingConfig | undefined;
  if (akauntingUrl !== undefined) {
    const email = read('AKAUNTING_EMAIL');
    const password = read('AKAUNTING_PASSWORD');
    if (!email)
      throw new ConfigError('AKAUNTING_EMAIL', 'is needed with AKAUNTING_URL: the API user’s email');
    if (!password)
      throw new ConfigError(
        'AKAUNTING_PASSWORD',
        'is needed with AKAUNTING_URL (or AKAUNTING_PASSWORD_FILE)',
      );
    akaunting = {
      baseUrl: akauntingUrl,
      email,
      password,
      companyId: integer('AKAUNTING_COMPANY_ID', 1, 1, 2 ** 31),
      accountId: optionalId('AKAUNTING_ACCOUNT_ID'),
      incomeCategoryId: optionalId('AKAUNTING_INCOME_CATEGORY_ID'),
      expenseCategoryId: optionalId('AKAUNTING_EXPENSE_CATEGORY_ID'),
      paymentMethod: read('AKAUNTING_PAYMENT_METHOD') ?? 'offline-payments.bank_transfer.2',
    };
  }

  return {
    akaunting,
    shopify: {
      shop,
      adminToken: read('SHOPIFY_ADMIN_TOKEN'),
      apiSecret: read('SHOPIFY_API_SECRET'),
      baseUrl: url('SHOPIFY_API_BASE_URL', ['http:', 'https:'])?.replace(/\/$/, ''),
      reconcileMinutes: integer('SHOPKEEP_SHOP_RECONCILE_MINUTES', 15, 1, 24 * 60),
      reconcileGraceSeconds: integer('SHOPKEEP_SHOP_RECONCILE_GRACE_SECONDS', 60, 0, 3600),
      lowStockDefault: integer('SHOPKEEP_SHOP_LOW_STOCK', 5, 0, 1_000_000),
    },
    telegram: {
      token: telegramToken,
      apiRoot: (url('TELEGRAM_API_ROOT', ['http:', 'https:']) ?? 'https://api.telegram.org').replace(
        /\/$/,
        '',
      ),
      allowedChatIds,
      webhookSecret: webhookSecret(read('TELEGRAM_WEBHOOK_SECRET')),
    },
    ai: {
      provider,
      timeoutMs: integer('SHOPKEEP_AI_TIMEOUT_SECONDS', 30, 1, 600) * 1000,
      gemini: {
        apiKey: read('GEMINI_API_KEY'),
        baseUrl: url('GEMINI_BASE_URL', ['http:', 'https:']) ?? 'https://generativelanguage.googleapis.com',
        model: read('GEMINI_MODEL') ?? 'gemini-2.5-flash',
        embeddingModel: read('GEMINI_EMBEDDING_MODEL') ?? 'gemini-embedding-001',
      },
      openai: {
        apiKey: read('OPENAI_API_KEY'),
        baseUrl: openaiBase ?? 'https://api.openai.com/v1',
        configured: read('OPENAI_API_KEY') !== undefined || openaiBase !== undefined,
        model: read('OPENAI_MODEL') ?? 'gpt-4o-mini',
        embeddingModel: read('OPENAI_EMBEDDING_MODEL') ?? 'text-embedding-3-small',
        transcriptionModel: read('OPENAI_TRANSCRIPTION_MODEL') ?? 'whisper-1',
      },
      anthropic: {
        apiKey: read('ANTHROPIC_API_KEY'),
        baseUrl: url('ANTHROPIC_BASE_URL', ['http:', 'https:']) ?? 'https://api.anthropic.com',
        model: read('ANTHROPIC_MODEL') ?? 'claude-3-5-haiku-latest',
      },
    },
    qa: {
      autoApproveAbove,
      regenerateBelow,
      maxAttempts: integer('SHOPKEEP_QA_MAX_ATTEMPTS', 3, 1, 10),
      channels: channelThresholds(read('SHOPKEEP_QA_CHANNEL_THRESHOLDS')),
    },
    dataDir: path.resolve(cwd, read('SHOPKEEP_DATA_DIR') ?? 'data'),
    host: read('SHOPKEEP_HOST') ?? '0.0.0.0',
    port,
    publicUrl: (url('SHOPKEEP_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
      /\/$/,
      '',
    ),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    embeddedPgPort,
    timezone,
    logLevel,
    masterKey,
    sessionIdleMinutes: integer('SHOPKEEP_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: integer('SHOPKEEP_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    trustProxy: trustedProxies(read('SHOPKEEP_TRUST_PROXY')),
    mqttUrl: url('SHOPKEEP_MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:']),
    anonymousRateLimitPerMinute: integer('SHOPKEEP_RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000),
    costing,
  };
}
