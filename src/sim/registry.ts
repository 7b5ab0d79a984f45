// Local simulators of the external services, started by `shopkeep sandbox`. Each later module adds its
// own (Shopify, Gemini, Telegram, ...) here; a simulator listens on loopback and tells the client its base URL.
import type { Logger } from '../platform/logger.ts';

export interface RunningSimulator {
  name: string;
  baseUrl: string;
  /** Environment variables that point shopkeep's client at this simulator. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface Simulator {
  name: string;
  start(logger: Logger): Promise<RunningSimulator>;
}

export const SIMULATORS: Simulator[] = [];

export async function startSimulators(logger: Logger): Promise<RunningSimulator[]> {
  const running: RunningSimulator[] = [];
  for (const simulator of SIMULATORS) running.push(await simulator.start(logger));
  return running;
}
