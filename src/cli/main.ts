// `shopkeep <command>`: one entry point for the server, workers and the owner's maintenance commands.
// The server's own commands are here; every other command is a module's (its `commands`).
import pino from 'pino';
import { loadEnvironment, parseConfig, type Config } from '../platform/config.ts';
import { AppError, ConfigError } from '../platform/errors.ts';
import { createLogger } from '../platform/logger.ts';
import { EmbeddedPostgresError } from '../platform/db/embedded-postgres.ts';
import { UsageError } from '../platform/cli/args.ts';
import type { AnyModule, CommandContext, ModuleCommandContext } from '../platform/kit/module.ts';
import { readSettings } from '../platform/kit/modules.ts';
import { openModules } from '../platform/runtime.ts';
import { MODULES } from '../modules/index.ts';
import { serve, worker } from './serve.ts';
import { migrateCommand, doctorCommand } from './admin.ts';

interface Command {
  summary: string;
  usage: string;
  run: (context: CommandContext) => Promise<number | void>;
}

const SERVER_COMMANDS: Record<string, Command> = {
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
  doctor: {
    summary: 'Check configuration, data directory, database and disk, and say what to fix',
    usage: 'shopkeep doctor [--json]',
    run: doctorCommand,
  },
};

/** The server's commands, then each module's; a name used twice stops the program. */
function commands(modules: readonly AnyModule[]): Record<string, Command> {
  const all: Record<string, Command> = { ...SERVER_COMMANDS };
  for (const module of modules) {
    for (const [name, command] of Object.entries(module.commands ?? {})) {
      if (all[name]) throw new Error(`the command "${name}" is declared twice (module ${module.name})`);
      all[name] = {
        summary: command.summary,
        usage: command.usage,
        run: (context) => {
          // Opens the database and every module only when the command has checked its arguments.
          const open: ModuleCommandContext<unknown>['open'] = async (work, options = {}) => {
            const opened = await openModules(context.config, context.logger, {
              ownsEmbeddedServer: false,
              modules,
              ...(options.faces ? { faces: options.faces } : {}),
            });
            try {
              if (options.queue) {
                const jobs = opened.modules
                  .all()
                  .flatMap(({ definition, parts }) => definition.jobs?.(parts) ?? []);
                opened.kernel.jobs.register(jobs);
                await opened.kernel.jobs.start({ work: false });
              }
              return await work(opened.modules.get(module), (face) => opened.modules.face(face));
            } finally {
              if (options.queue) await opened.kernel.jobs.stop();
              await opened.database.close();
            }
          };
          return command.run({ ...context, open });
        },
      };
    }
  }
  return all;
}

function help(COMMANDS: Record<string, Command>): string {
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

export interface MainOptions {
  /** The modules to run: the registry unless a test adds its own. */
  modules?: readonly AnyModule[];
  /** The environment instead of the process's and .env (tests). */
  env?: Record<string, string | undefined>;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const modules = options.modules ?? MODULES;
  const COMMANDS = commands(modules);
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help(COMMANDS));
    return 0;
  }
  if (name === '--version' || name === 'version') {
    const { VERSION } = await import('../platform/runtime.ts');
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`shopkeep: unknown command "${name}"\n\n${help(COMMANDS)}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`${command.summary}\n\nUsage:\n  ${command.usage}`);
    return 0;
  }
  let config: Config;
  let env: CommandContext['env'];
  try {
    env = options.env ?? loadEnvironment();
    config = parseConfig(env);
    // Every module's settings too: a bad value stops any command before it starts anything.
    readSettings(modules, env);
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
    return (await command.run({ args, config, env, logger, modules })) ?? 0;
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
