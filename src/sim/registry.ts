// The sandbox: local simulators of the external services, started by `shopkeep sandbox` (and by
// `npm start` while nothing is connected), with the sample catalog. Nothing leaves the machine.
// Later modules add their simulators here (Shopify, Meta, ...).
import { randomBytes } from 'node:crypto';
import { TelegramSimulator } from './telegram.ts';

export const SANDBOX_OWNER_CHAT = 1001;

export interface Sandbox {
  /** Names of the simulated services, for the start message. */
  names: string[];
  /** Variables that point shopkeep's clients at the simulators; they win over the configuration. */
  env: Record<string, string>;
  telegram: TelegramSimulator;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  const token = `${100000 + Math.floor(Math.random() * 900000)}:sandbox_${randomBytes(16).toString('hex')}`;
  const telegram = await TelegramSimulator.start({ token });
  return {
    names: ['Telegram (play the owner at /sandbox/telegram)'],
    env: {
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(SANDBOX_OWNER_CHAT),
    },
    telegram,
    async stop() {
      await telegram.stop();
    },
  };
}
