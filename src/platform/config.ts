// Configuration: environment variables, a `.env` file and `NAME_FILE` variants (Docker secrets),
// parsed and typed once at start. A bad value stops start-up with a message naming the variable.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './errors.ts';
import { SettingsReader } from './kit/settings.ts';

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
  /** The environment this was read from: each module reads its own settings from it at start-up. */
  env: Env;
}

export type Env = Record<string, string | undefined>;

/** `NAME_FILE` is honoured for shopkeep's own variables only; other programs' *_FILE variables are not ours. */
const OWN_VARIABLES =
  /^(SHOPKEEP_|DATABASE_URL$|SHOPIFY_|GEMINI_|OPENAI_|ANTHROPIC_|TELEGRAM_|TWILIO_|AKAUNTING_|META_|TIKTOK_|LINKEDIN_|GOOGLE_|SMTP_|IMAP_|MAIL_)/;

/** The configuration file: SHOPKEEP_ENV_FILE, or .env in the working directory. */
export function envFilePath(env: Env, cwd = process.cwd()): string {
  return path.resolve(cwd, env.SHOPKEEP_ENV_FILE ?? '.env');
}

/** Merges the process environment over `.env` and resolves every `NAME_FILE` variable. */
export function loadEnvironment(processEnv: Env = process.env, cwd = process.cwd()): Env {
  const envFile = envFilePath(processEnv, cwd);
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
  const read = new SettingsReader(env);
  const port = read.integer('SHOPKEEP_PORT', 8080, 1, 65535);
  const embeddedPgPort = read.integer('SHOPKEEP_EMBEDDED_PG_PORT', 55432, 1024, 65535);
  if (embeddedPgPort === 5432) {
    throw new ConfigError(
      'SHOPKEEP_EMBEDDED_PG_PORT',
      '5432 belongs to the system PostgreSQL; pick another port',
    );
  }

  const timezone =
    read.text('SHOPKEEP_TIMEZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ConfigError(
      'SHOPKEEP_TIMEZONE',
      `"${timezone}" is not an IANA time zone such as Europe/London`,
    );
  }

  const logLevel = read.oneOf(
    'SHOPKEEP_LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
  );

  const masterKeyRaw = read.text('SHOPKEEP_MASTER_KEY');
  let masterKey: Buffer | undefined;
  if (masterKeyRaw !== undefined) {
    masterKey = /^[0-9a-f]{64}$/i.test(masterKeyRaw)
      ? Buffer.from(masterKeyRaw, 'hex')
      : Buffer.from(masterKeyRaw, 'base64');
    if (masterKey.length !== 32) {
      throw new ConfigError('SHOPKEEP_MASTER_KEY', 'must be 32 bytes, as 64 hex digits or base64');
    }
  }

  return {
    dataDir: path.resolve(cwd, read.text('SHOPKEEP_DATA_DIR') ?? 'data'),
    host: read.text('SHOPKEEP_HOST') ?? '0.0.0.0',
    port,
    publicUrl: (read.url('SHOPKEEP_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
      /\/$/,
      '',
    ),
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    embeddedPgPort,
    timezone,
    logLevel,
    masterKey,
    sessionIdleMinutes: read.integer('SHOPKEEP_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: read.integer('SHOPKEEP_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    trustProxy: trustedProxies(read.text('SHOPKEEP_TRUST_PROXY')),
    mqttUrl: read.url('SHOPKEEP_MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:']),
    anonymousRateLimitPerMinute: read.integer('SHOPKEEP_RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000),
    env,
  };
}
