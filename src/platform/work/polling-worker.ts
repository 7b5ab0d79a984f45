// The loop behind every worker that takes its work from the database in batches (the outbox
// dispatcher, the event feeds, the Shopify delivery applier). A kick runs it at once; a timer runs it
// every few seconds for work nobody kicked about (another process's, a retry now due). A run takes
// batches until one is short, and never overlaps another run. After a failed run the loop waits,
// twice as long after each failure in a row, so a broken handler or a database that is down is not
// hammered; the work itself is retried whole, since each batch commits or rolls back as one.
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** What one batch did: how many it handled, and whether more may be waiting (it was full). */
export interface BatchResult {
  handled: number;
  more: boolean;
}

/** The time and the ticking a worker polls by; tests pass their own and move time by hand. */
export interface WorkerClock {
  now(): number;
  /** Calls `tick` every `ms`; returns what stops it. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: WorkerClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // Polling alone never keeps the process alive: a CLI command that is done may exit.
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface PollingWorkerOptions {
  /** One batch of work, committed or rolled back whole. */
  batch: () => Promise<BatchResult>;
  /** How often to look for work without a kick. */
  everyMs: number;
  logger: Logger;
  /** The log line when a run fails ('an event feed failed; ...'), and fields that say which worker. */
  failure: { message: string; fields?: Record<string, unknown> };
  /** The wait after a first failure (default everyMs), doubled after each further one up to the longest (default a minute). */
  backoff?: { firstMs?: number; longestMs?: number };
  clock?: WorkerClock;
}

export class PollingWorker {
  private readonly clock: WorkerClock;
  private readonly firstBackoffMs: number;
  private readonly longestBackoffMs: number;
  private stopTicking: (() => void) | undefined;
  private stopped = true;
  /** The background run in progress, if any; a kick meanwhile asks it to go round again. */
  private running: Promise<void> | undefined;
  private again = false;
  /** Runs and explicit drains queue here, so two never take batches at the same time. */
  private turn: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private retryAt = 0;

  constructor(private readonly options: PollingWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.firstBackoffMs = options.backoff?.firstMs ?? options.everyMs;
    this.longestBackoffMs = options.backoff?.longestMs ?? 60_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopTicking = this.clock.every(this.options.everyMs, () => this.kick());
    this.kick();
  }

  /** Stops ticking; a run in progress ends after its current batch, and stop waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTicking?.();
    this.stopTicking = undefined;
    await this.running;
  }

  /** There may be work: run now, or once more after the run in progress. Ignored while stopped or waiting after a failure. */
  kick(): void {
    if (this.stopped || this.clock.now() < this.retryAt) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => (this.running = undefined));
  }

  /** Takes batches until one is short, whether started or not (tests, the CLI); returns how many were handled. */
  drain(): Promise<number> {
    return this.inTurn(() => this.batches(() => false));
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.inTurn(() => this.batches(() => this.stopped));
        this.failures = 0;
        this.retryAt = 0;
      } catch (error) {
        this.failures += 1;
        const wait = Math.min(this.longestBackoffMs, this.firstBackoffMs * 2 ** (this.failures - 1));
        this.retryAt = this.clock.now() + wait;
        this.options.logger.error(
          { ...this.options.failure.fields, err: describeError(error), retryInSeconds: wait / 1000 },
          this.options.failure.message,
        );
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async batches(stopping: () => boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const { handled, more } = await this.options.batch();
      total += handled;
      if (!more || stopping()) return total;
    }
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}
