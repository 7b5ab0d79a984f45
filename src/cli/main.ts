// `shopkeep <command>`: one entry point for the server, workers and the owner's maintenance commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { loadEnvironment, parseConfig, type Config } from '../platform/config.ts';
import { ConfigError } from '../platform/errors.ts';
import pino from 'pino';
import { createLogger, type Logger } from '../platform/logger.ts';
import { AppError } from '../platform/errors.ts';
import { EmbeddedPostgresError } from '../platform/db/embedded-postgres.ts';
import { serve, worker } from './serve.ts';
import {
  userCommand,
  tokenCommand,
  auditCommand,
  secretsCommand,
  migrateCommand,
  doctorCommand,
  aiCommand,
} from './admin.ts';
import { shopCommand } from './shop.ts';
import { ledgerCommand } from './ledger.ts';

export interface CommandContext {
  args: string[];
  config: Config;
  /** The environment as configuration sees it: process environment over .env, NAME_FILE resolved. */
  env: Record<string, string | undefined>;
  logger: Logger;
}

interface Command {
  summary: string;
  usage: string;
  run: (context: CommandContext) => Promise<number | void>;
}

const COMMANDS: Record<string, Command> = {
  start: {
    summary:
      'Start the sandbox when nothing is connected yet, the real server otherwise (what `npm start` runs)',
    usage: 'shopkeep start',
    run: (context) => serve(context, { sandbox: !anyIntegrationConfigured(context.env), http: true }),
  },
  serve: {
    summary: 'Run the server: dashboard, API, jobs and schedules',
    usage: 'shopkeep serve',
    run: (context) => serve(context, { sandbox: false, http: true }),
  },
  sandbox: {
    summary: 'Run the server against local simulators of every external service, with a seeded shop',
    usage: 'shopkeep sandbox',
    run: (context) => serve(context, { sandbox: true, http: true }),
  },
  worker: {
    summary: 'Run job workers only (a second process or a second Pi sharing the load)',
    usage: 'shopkeep worker',
    run: worker,
  },
  migrate: { summary: 'Apply database migrations and exit', usage: 'shopkeep migrate', run: migrateCommand },
  user: {
    summary: 'Manage users: add, list, reset-2fa, unlock, disable, passwd, role',
    usage: [
      'shopkeep user add --email E --role owner|staff|viewer [--json]   (password from stdin)',
      'shopkeep user list [--json]',
      'shopkeep user reset-2fa --email E   (ends sessions, revokes API tokens, lifts login locks on the account)',
      'shopkeep user unlock --email E      (prints a one-time link that lifts a login lock; two-factor stays)',
      'shopkeep user disable --email E     (ends sessions, revokes API tokens)',
      'shopkeep user passwd --email E      (new password from stdin; ends sessions, revokes API tokens)',
      'shopkeep user role --email E --role owner|staff|viewer',
    ].join('\n  '),
    run: userCommand,
  },
  token: {
    summary: 'Manage API tokens: create, list, revoke',
    usage:
      'shopkeep token create --name N --scope read|write|admin|metrics [--scope ...] [--user E] [--expires 90d|YYYY-MM-DD] [--json]\n  shopkeep token list [--json]   (with last use and expiry)\n  shopkeep token revoke ID',
    run: tokenCommand,
  },
  audit: {
    summary: 'Check the audit log: its hash chain, seals and anchor; print its head',
    usage:
      'shopkeep audit verify [--entry N] [--json]   (--entry N: the hash of entry N, to compare with a daily digest)',
    run: auditCommand,
  },
  secrets: {
    summary: 'Manage the secrets vault: set, list, rotate-key',
    usage:
      'shopkeep secrets set NAME   (value from stdin)\n  shopkeep secrets list [--json]\n  shopkeep secrets rotate-key',
    run: secretsCommand,
  },
  ai: {
    summary: 'AI providers and drafts: status, draft (writes a post for a product and runs the QA gate)',
    usage:
      'shopkeep ai status [--json]\n  shopkeep ai draft --channel instagram|facebook|tiktok|linkedin|telegram|email --product ID [--sandbox-catalog] [--json]',
    run: aiCommand,
  },
  shop: {
    summary: 'Shopify: status, test the connection, import everything, reconcile now, register webhooks',
    usage:
      'shopkeep shop status [--json]\n  shopkeep shop test [--json]\n  shopkeep shop import [--json]   (resumes a stopped import)\n  shopkeep shop reconcile [--json]\n  shopkeep shop webhooks sync [--json]   (at SHOPKEEP_PUBLIC_URL/webhooks/shopify)',
    run: shopCommand,
  },
  ledger: {
    summary: 'The books: export them for hledger or a spreadsheet, print the reports, import expenses',
    usage:
      "shopkeep ledger export --format hledger|csv --from YYYY-MM-DD [--to YYYY-MM-DD] [--output FILE]\n  shopkeep ledger report pnl|sales-tax [--from D] [--to D] [--json]\n  shopkeep ledger report balance-sheet [--at D] [--json]\n  shopkeep ledger report trial-balance|cash-flow|margins [--from D] [--to D] [--json]\n  shopkeep ledger report projection [--json]   (cash over the next 90 days)\n  shopkeep ledger report pnl|balance-sheet|cash-flow|trial-balance|sales-tax|margins|stock --format pdf|csv [--from D] [--to D] --output FILE\n  shopkeep ledger import-expenses FILE.csv [--json]   (all rows or none)\n  shopkeep ledger opening-stock [--json]   (stock on the books up to Shopify's count, once)\n  shopkeep ledger akaunting-sync [--from D] [--to D] [--json]   (daily summaries to Akaunting; default the last 7 days)\n  shopkeep ledger fx-rate CURRENCY DAY RATE [--json]   (a rate from the bank statement, for payouts in another currency)",
    run: ledgerCommand,
  },
  doctor: {
    summary: 'Check configuration, data directory, database and disk, and say what to fix',
    usage: 'shopkeep doctor [--json]',
    run: doctorCommand,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'shopkeep: the back office of a small Shopify shop',
    '',
    'Usage: shopkeep <command> [options]   (shopkeep <command> --help for details)',
    '',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Configuration comes from environment variables and a .env file; see docs/configuration.md.',
  ].join('\n');
}

function anyIntegrationConfigured(env: CommandContext['env']): boolean {
  return ['SHOPIFY_SHOP', 'SHOPIFY_ADMIN_TOKEN', 'GEMINI_API_KEY', 'TELEGRAM_BOT_TOKEN'].some(
    (name) => env[name],
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === 'version') {
    const { VERSION } = await import('../platform/runtime.ts');
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`shopkeep: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`${command.summary}\n\nUsage:\n  ${command.usage}`);
    return 0;
  }
  let config: Config;
  let env: CommandContext['env'];
  try {
    env = loadEnvironment();
    config = parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(
        `shopkeep: configuration problem: ${error.message}\nFix it in the environment or .env, then start again.`,
      );
      return 78; // EX_CONFIG
    }
    throw error;
  }
  // Commands other than the server keep the console for their own output: their log lines go to
  // stderr, so `--json` output on stdout stays one JSON document.
  const quiet = !['serve', 'sandbox', 'start', 'worker'].includes(name);
  const logger = createLogger(
    quiet && config.logLevel === 'info' ? 'warn' : config.logLevel,
    quiet ? pino.destination(2) : undefined,
  );
  try {
    return (await command.run({ args, config, env, logger })) ?? 0;
  } catch (error) {
    // A setting only a module can check (a channel name it knows) is still a configuration problem.
    if (error instanceof ConfigError) {
      console.error(
        `shopkeep: configuration problem: ${error.message}\nFix it in the environment or .env, then start again.`,
      );
      return 78;
    }
    if (error instanceof AppError || error instanceof EmbeddedPostgresError || error instanceof UsageError) {
      console.error(`shopkeep ${name}: ${error.message}`);
      return error instanceof UsageError ? 2 : 1;
    }
    console.error(`shopkeep ${name} failed: ${(error as Error).message}`);
    return 1;
  }
}

export class UsageError extends Error {}

/** parseArgs with a usage error that names the command. */
export function options<const T extends ParseArgsOptionsConfig>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
}

const isEntry = process.argv[1] && /shopkeep(\.js)?$|cli\/main\.ts$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exitCode = 1;
    },
  );
}
