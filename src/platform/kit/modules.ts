// Builds the registered modules in the order their needs give, each with its settings, the kernel and
// the faces it asked for, and answers what they declared: routes, menu, jobs, subscriptions, feeds,
// commands, Telegram commands, start and stop. Problems in the declarations (a face nobody offers, two
// modules offering one, a cycle, a name used twice) stop start-up with a message naming the modules.
import type { Kernel } from './kernel.ts';
import type { Logger } from '../logger.ts';
import { ConfigError } from '../errors.ts';
import type { CredentialDefinition } from '../integrations/credentials.ts';
import type { FaceName, Faces } from './faces.ts';
import type { AnyModule, HomeContribution, MenuEntry, Panel, PartsOf, TelegramCommand } from './module.ts';
import { SettingsReader } from './settings.ts';
import type { MigrationSource } from '../db/migrate.ts';

type Env = Record<string, string | undefined>;

export interface BuiltModule {
  definition: AnyModule;
  parts: unknown;
  /** Its settings as it was built with them (with stored credentials read in). */
  settings: unknown;
}

/** Each module's settings, read from the environment; the first bad value throws a ConfigError. */
export function readSettings(modules: readonly AnyModule[], env: Env): Map<string, unknown> {
  const read = new SettingsReader(env);
  return new Map(modules.map((module) => [module.name, module.settings?.(read)]));
}

/** The modules' migrations, in registry order (the order they are applied in). */
export function migrationSources(modules: readonly AnyModule[]): MigrationSource[] {
  return modules.flatMap((module) =>
    module.migrations ? [{ module: module.name, ...module.migrations }] : [],
  );
}

/** The modules in an order where each comes after the modules whose faces it needs. */
export function buildOrder(modules: readonly AnyModule[]): AnyModule[] {
  const names = new Set<string>();
  const offeredBy = new Map<string, AnyModule>();
  for (const module of modules) {
    if (!/^[a-z][a-z0-9]*$/.test(module.name))
      throw new Error(`module name "${module.name}" must be one lower-case word`);
    if (names.has(module.name)) throw new Error(`two modules are named "${module.name}"`);
    names.add(module.name);
    for (const face of Object.keys(module.provides ?? {})) {
      const other = offeredBy.get(face);
      if (other) throw new Error(`the face "${face}" is offered by both ${other.name} and ${module.name}`);
      offeredBy.set(face, module);
    }
  }
  const ordered: AnyModule[] = [];
  const state = new Map<AnyModule, 'visiting' | 'done'>();
  const visit = (module: AnyModule, path: string[]): void => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'visiting')
      throw new Error(`modules need each other in a circle: ${[...path, module.name].join(' → ')}`);
    state.set(module, 'visiting');
    // Stored credentials are read from the vault before the module that declares them is built.
    const needs = [...(module.needs ?? []), ...(module.credentials ? ['vault' as FaceName] : [])];
    for (const face of needs) {
      const provider = offeredBy.get(face);
      if (!provider) throw new Error(`module ${module.name} needs "${face}", which no module offers`);
      if (provider !== module) visit(provider, [...path, module.name]);
    }
    state.set(module, 'done');
    ordered.push(module);
  };
  for (const module of modules) visit(module, []);
  return ordered;
}

export class Modules {
  private readonly built: BuiltModule[] = [];
  private readonly faces = new Map<string, unknown>();

  private constructor(
    /** Faces given from outside (the sandbox's catalogue in tests and `ai draft --sandbox-catalog`). */
    private readonly overrides: Partial<Faces>,
  ) {}

  /** Builds every module; settings come from `readSettings`, already checked. */
  static async build(
    modules: readonly AnyModule[],
    kernel: Kernel,
    settings: Map<string, unknown>,
    overrides: Partial<Faces> = {},
  ): Promise<Modules> {
    const running = new Modules(overrides);
    for (const definition of buildOrder(modules)) {
      const needs = new Set<string>(definition.needs ?? []);
      const logger = kernel.logger.child({ module: definition.name });
      const own = definition.credentials
        ? await withStoredCredentials(definition, settings.get(definition.name), kernel, running, logger)
        : settings.get(definition.name);
      const parts: unknown = await definition.build({
        ...kernel,
        logger,
        settings: own,
        use: <K extends FaceName>(face: K): Faces[K] => {
          if (!needs.has(face))
            throw new Error(`module ${definition.name} uses "${face}" without naming it in needs`);
          return running.face(face);
        },
        contributions: {
          telegramCommands: () => running.telegramCommands(),
          panels: (page) => running.panels(page),
          credentials: () => running.credentials(),
          home: () => running.home(),
          migrations: () => migrationSources(modules),
          restoreChecks: () => modules.flatMap((module) => module.restoreChecks ?? []),
        },
      });
      running.built.push({ definition, parts, settings: own });
      for (const [face, offer] of Object.entries(definition.provides ?? {}))
        running.faces.set(face, (offer as (parts: unknown) => unknown)(parts));
    }
    return running;
  }

  /** A face by name: what its module offers, or what was given in its place. */
  face<K extends FaceName>(name: K): Faces[K] {
    if (name in this.overrides) return this.overrides[name] as Faces[K];
    if (!this.faces.has(name)) throw new Error(`no module offers "${name}"`);
    return this.faces.get(name) as Faces[K];
  }

  /** A module's own parts, typed by its definition (CLI commands and tests). */
  get<M extends AnyModule>(definition: M): PartsOf<M> {
    const found = this.built.find((each) => each.definition === definition);
    if (!found) throw new Error(`module ${definition.name} is not registered`);
    return found.parts as PartsOf<M>;
  }

  /** Every module with what its build made, in build order. */
  all(): readonly BuiltModule[] {
    return this.built;
  }

  /** Each module's declaration of one kind, with its parts: `each('jobs')`. */
  each<K extends keyof AnyModule>(
    key: K,
  ): { definition: AnyModule; parts: unknown; declared: NonNullable<AnyModule[K]> }[] {
    return this.built.flatMap(({ definition, parts }) =>
      definition[key] === undefined ? [] : [{ definition, parts, declared: definition[key]! }],
    );
  }

  menu(): MenuEntry[] {
    return this.built
      .flatMap(({ definition }) => definition.menu ?? [])
      .sort((a, b) => a.position - b.position);
  }

  /** The sections modules add to a platform page, in build order. */
  panels(page: Panel['page']): Panel[] {
    return this.built.flatMap(({ definition, parts }) =>
      (definition.panels?.(parts) ?? []).filter((panel) => panel.page === page),
    );
  }

  /** What each module puts on the home page, in build order. */
  home(): HomeContribution[] {
    return this.built.flatMap(({ definition, parts }) => (definition.home ? [definition.home(parts)] : []));
  }

  credentials(): CredentialDefinition[] {
    return this.built.flatMap(({ definition, settings }) => definition.credentials?.(settings) ?? []);
  }

  telegramCommands(): TelegramCommand[] {
    return this.built.flatMap(({ definition, parts }) => definition.telegram?.(parts) ?? []);
  }
}

/**
 * A module's settings read again with the credentials the owner typed on Settings, as if their
 * variables were set; a variable set in the environment wins. A stored value its settings refuse is
 * left out, saying so, rather than stopping start-up (it was checked when it was typed).
 */
async function withStoredCredentials(
  definition: AnyModule,
  fromEnvironment: unknown,
  kernel: Kernel,
  running: Modules,
  logger: Logger,
): Promise<unknown> {
  const env = kernel.config.env;
  const vault = running.face('vault');
  const merged: Record<string, string | undefined> = { ...env };
  let stored = 0;
  for (const credential of definition.credentials!(fromEnvironment)) {
    for (const field of credential.fields) {
      if (env[field.env]?.trim()) continue;
      const value = await vault.get(`${credential.integration}.${field.name}`);
      if (value === undefined) continue;
      merged[field.env] = value;
      stored += 1;
    }
  }
  if (!stored) return fromEnvironment;
  try {
    return definition.settings!(new SettingsReader(merged));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.warn({ err: error.message }, 'a credential saved on Settings is not usable; it is left out');
    return fromEnvironment;
  }
}
