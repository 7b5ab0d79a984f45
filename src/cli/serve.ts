// `shopkeep serve`, `sandbox`, `start` and `worker`: long-running processes with an orderly shutdown.
import type { CommandContext } from '../platform/kit/module.ts';
import { startRuntime, type Runtime } from '../platform/runtime.ts';
import type { Sandbox } from '../sim/registry.ts';
import { loadEnvironment, parseConfig } from '../platform/config.ts';
import { progress } from '../platform/cli/io.ts';
import { acquireServeLock } from '../platform/process-lock.ts';
import { describeError } from '../platform/errors.ts';

export async function serve(
  context: CommandContext,
  options: { sandbox: boolean; http: boolean },
): Promise<number> {
  const { logger } = context;
  let { config } = context;
  const started = Date.now();
  let sandbox: Sandbox | undefined;
  // The simulators (and the GraphQL library the Shopify one uses) load only for the sandbox: a real
  // server does not carry them in memory.
  const simulators = options.sandbox
    ? { ...(await import('../sim/registry.ts')), ...(await import('../sim/sandbox-pages.ts')) }
    : undefined;
  if (simulators) {
    progress('starting the simulators (sandbox: nothing leaves this machine)');
    sandbox = await simulators.startSandbox(config.dataDir, config.publicUrl);
    // The simulators' addresses win over anything configured, so the sandbox never reaches a real service.
    config = parseConfig({ ...loadEnvironment(), ...sandbox.env });
  }
  const releaseLock = acquireServeLock(config.dataDir);
  let runtime: Runtime;
  try {
    runtime = await startRuntime(config, logger, {
      http: true,
      work: true,
      ownsEmbeddedServer: true,
      onProgress: progress,
      ...(sandbox && simulators ? { extraHttp: [simulators.sandboxPages(sandbox)] } : {}),
    });
  } catch (error) {
    releaseLock();
    await sandbox?.stop(); // the simulators would keep the process alive
    throw error;
  }
  // From here a Ctrl-C or SIGTERM shuts down in order, even while the server is still starting to listen.
  const stopped = untilSignal(runtime, async () => {
    await sandbox?.stop();
  }).finally(releaseLock);
  try {
    await runtime.app!.listen({ host: config.host, port: config.port });
  } catch (error) {
    await runtime.stop();
    await sandbox?.stop();
    releaseLock();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `shopkeep: port ${config.port} is in use. Stop what uses it, or set SHOPKEEP_PORT to another port.`,
      );
      return 1;
    }
    throw error;
  }
  const accounts = runtime.modules.face('ownerSetup');
  if (sandbox && simulators) {
    // The simulated shop delivers its webhooks here, as Shopify would, and takes orders from now on.
    await runtime.modules
      .face('shop')
      .syncWebhooks(`http://127.0.0.1:${config.port}`)
      .catch((error: unknown) =>
        logger.warn({ err: describeError(error) }, 'sandbox webhooks not registered'),
      );
    sandbox.shopify.startLiveStream(simulators.SANDBOX_ORDER_EVERY_MS);
  }
  const lines = [
    `shopkeep ${runtime.kernel.version} is ready at ${config.publicUrl} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
  ];
  if (sandbox) {
    lines.push(`Sandbox: nothing leaves this machine. Simulated: ${sandbox.names.join('; ')}.`);
  }
  if (!(await accounts.hasOwner())) {
    const token = await accounts.newSetupToken();
    lines.push(
      '',
      'First start: create the owner account with this one-time link (valid 24 hours):',
      `  ${config.publicUrl}/setup?token=${token}`,
    );
  } else {
    lines.push(`Log in at ${config.publicUrl}/login`);
  }
  console.log(lines.join('\n'));
  await stopped;
  return 0;
}

export async function worker({ config, logger }: CommandContext): Promise<number> {
  // A worker never makes a master key: on a second Pi it must use the main box's key (copied, or
  // SHOPKEEP_MASTER_KEY), or it could not open the secrets the server stored.
  const runtime = await startRuntime(config, logger, {
    http: false,
    work: true,
    ownsEmbeddedServer: false,
    createMasterKey: false,
    onProgress: progress,
  });
  console.log(`shopkeep worker running ${runtime.kernel.jobs.names.length} job types; Ctrl-C to stop`);
  const keepAlive = setInterval(() => undefined, 60_000);
  await untilSignal(runtime, async () => clearInterval(keepAlive));
  return 0;
}

/** Waits for Ctrl-C or SIGTERM, stops the runtime, then `afterStop` (simulators the runtime was using). */
function untilSignal(runtime: Runtime, afterStop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        console.error('shopkeep: stopping now (second signal)');
        process.exit(130);
      }
      stopping = true;
      console.error(`shopkeep: ${signal} received, shutting down (jobs finish, database stops cleanly)…`);
      runtime
        .stop()
        .then(afterStop)
        .catch((error: Error) => console.error(`shopkeep: shutdown problem: ${error.message}`))
        .finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
