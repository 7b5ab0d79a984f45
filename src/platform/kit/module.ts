// A module declares itself in one place: its tables and migrations, its settings, the faces it needs
// from other modules and the ones it offers, its routes and pages with their menu entries, its jobs,
// event subscriptions and feeds, its CLI and Telegram commands, and what it does when shopkeep starts
// and stops. The runtime, the HTTP app, the CLI and the bot read these declarations; none of them
// names a module. Adding a module is one folder and one line in src/modules/index.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Html } from '../dashboard/html.ts';
import type { CredentialDefinition } from '../integrations/credentials.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Feed } from '../events/feeds.ts';
import type { Subscription } from '../events/outbox.ts';
import type { JobDefinition } from '../jobs/job-queue.ts';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { Kernel } from './kernel.ts';
import type { Queryable } from '../db/database.ts';
import type { MigrationSource } from '../db/migrate.ts';
import type { SettingsReader } from './settings.ts';
import type { FaceName, Faces } from './faces.ts';

export interface BuildContext<S> extends Kernel {
  /** This module's own settings, parsed and checked at start-up with everything else. */
  settings: S;
  /** A face another module offers; only those named in `needs`. */
  use<K extends FaceName>(face: K): Faces[K];
  /** What every module contributes (Telegram commands, menu entries), once all are built. */
  contributions: Contributions;
}

export interface Contributions {
  telegramCommands(): TelegramCommand[];
  /** Every module's migrations, in the order they are applied (a restore builds the schema with them). */
  migrations(): MigrationSource[];
  /** What every module checks in a restored copy of the database (a restore drill runs them). */
  restoreChecks(): RestoreCheck[];
  panels(page: Panel['page']): Panel[];
  /** Every module's integration credentials (Settings shows and tests them). */
  credentials(): CredentialDefinition[];
  /** What every module puts on the home page. */
  home(): HomeContribution[];
}

/** What route and page registrations get besides the module's own parts. */
export interface HttpContext {
  config: Config;
}

export interface HttpPart<B> {
  /** Every route of the part is under this prefix: '/api/v1/ledger', '/books', or '' for root pages. */
  prefix: string;
  register: (app: FastifyInstance, module: B, context: HttpContext) => void | Promise<void>;
}

/**
 * Pages from outside the modules (the sandbox's simulators): their routes, their menu entries, and a
 * banner every page shows while they are there.
 */
export interface ExtraPages extends HttpPart<undefined> {
  menu?: MenuEntry[];
  /** Shown at the top of every page. */
  banner?: Html;
}

/** A section a module adds to another's page (the operations page, the approvals queue). */
export interface Panel {
  page: 'operations' | 'approvals';
  /** The section's id: a link to /ops#id lands on it. */
  id: string;
  render: (request: FastifyRequest) => Promise<Html>;
}

/** What a module puts on the owner's home page: its cards, and what it did since they last looked. */
export interface HomeContribution {
  cards?: HomeCard[];
  /** A few short lines on what happened since `since` ("12 orders came in"); none when nothing did. */
  activity?: (since: Date) => Promise<ActivityLine[]>;
}

export interface HomeCard {
  id: string;
  /** Where it sits: lower first (the day's sales ~10, money ~20-30, what needs the owner ~40). */
  position: number;
  /** The card, or nothing when it has nothing to show this person now. */
  render: (look: HomeLook) => Promise<Html | undefined>;
}

export interface HomeLook {
  request: FastifyRequest;
  /** Today in the shop's time zone. */
  today: string;
}

/** A check of a module's data in a restored copy of the database: what is wrong, nothing when sound. */
export interface RestoreCheck {
  /** What it checks, as the drill's report says it: 'the books balance'. */
  name: string;
  check(db: Queryable): Promise<string[]>;
}

export interface ActivityLine {
  text: string;
  href: string;
}

export interface MenuEntry {
  href: string;
  label: string;
  /** Where it sits in the menu: lower first (the day's work ~10-40, the books 50, set-up 80-99). */
  position: number;
}

export interface TelegramCommand {
  /** `/today` is 'today'. */
  name: string;
  description: string;
  answer: (text: string) => Promise<string>;
}

export interface CommandContext {
  args: string[];
  /** Every registered module (a restore builds their schema without opening shopkeep's database). */
  modules: readonly AnyModule[];
  config: Config;
  env: Record<string, string | undefined>;
  logger: Logger;
}

export interface ModuleCommandContext<B> extends CommandContext {
  /**
   * Opens the database and builds every module, runs `work` with this module's parts (and any face),
   * and closes again. Argument checks come before it, so a usage error answers at once.
   */
  open<T>(
    work: (module: B, face: <K extends FaceName>(name: K) => Faces[K]) => Promise<T>,
    options?: {
      faces?: Partial<Faces>;
      /** Hands work to a running server's workers: the modules' jobs registered, the queue reachable (no workers here). */
      queue?: boolean;
    },
  ): Promise<T>;
}

export interface ModuleCommand<B> {
  summary: string;
  usage: string;
  run: (context: ModuleCommandContext<B>) => Promise<number | void>;
}

export interface ModuleDefinition<S = unknown, B = unknown> {
  /** Lower case, one word: 'shop', 'ledger'. Prefixes its tables, jobs, events and settings' module. */
  name: string;
  /** A folder of NNNN_name.sql files, applied in order; `formerly` names the module they were applied under. */
  migrations?: { dir: string; formerly?: string };
  /** Its Drizzle tables (the schema test holds them to the migrated database). */
  tables?: Record<string, unknown>;
  /** Its events and their payloads (the event map, the catalogue in the docs, outgoing webhooks). */
  events?: EventCatalogue;
  /** Reads its environment variables; a bad value throws a ConfigError naming the variable (exit 78). */
  settings?: (read: SettingsReader) => S;
  needs?: readonly FaceName[];
  /**
   * The accounts it connects to (fields, the variable that sets each, a connection test). A value the
   * owner typed on Settings is sealed in the vault and read as if its variable were set (the variable
   * wins); the module's settings are read with it.
   */
  credentials?: (settings: S) => CredentialDefinition[];
  build: (context: BuildContext<S>) => B | Promise<B>;
  /** What a restore drill checks in a restored copy of this module's tables. */
  restoreChecks?: RestoreCheck[];
  /** The faces it offers others, taken from what build made. */
  provides?: { [K in FaceName]?: (module: B) => Faces[K] };
  http?: HttpPart<B>[];
  menu?: MenuEntry[];
  panels?: (module: B) => Panel[];
  home?: (module: B) => HomeContribution;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  jobs?: (module: B) => JobDefinition<any>[];
  subscriptions?: (module: B) => Subscription[];
  feeds?: (module: B) => Feed[];
  commands?: Record<string, ModuleCommand<B>>;
  telegram?: (module: B) => TelegramCommand[];
  /** After every module is built and the job queue runs: `work` in processes that run jobs. */
  start?: (module: B, how: { http: boolean; work: boolean }) => void | Promise<void>;
  /** At shutdown, before the job queue and the database stop. */
  stop?: (module: B) => void | Promise<void>;
}

/** Declares a module; the types of its settings and parts follow from `settings` and `build`. */
export function defineModule<S = undefined, B = Record<string, never>>(
  definition: ModuleDefinition<S, B>,
): ModuleDefinition<S, B> {
  return definition;
}

/** A definition whatever its types, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = ModuleDefinition<any, any>;

/** The parts a module's build made, typed from its definition. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PartsOf<M> = M extends ModuleDefinition<any, infer B> ? B : never;
