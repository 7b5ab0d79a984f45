// A circuit breaker: after a run of failures a service is not asked for a while (each caller fails
// at once instead of waiting for its own timeout), then one trial call decides whether it is back.
export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openUntil: number | undefined;
  private trialRunning = false;

  constructor(
    readonly threshold = 5,
    readonly coolDownMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.openUntil === undefined) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** When a refused caller may try again. */
  get retryAt(): number | undefined {
    return this.state === 'open' ? this.openUntil : undefined;
  }

  /** True when a call may go ahead now; after the cool-down only one, the trial, until it ends. */
  enter(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialRunning) return false;
    this.trialRunning = true;
    return true;
  }

  /** Whether `enter` would let a call through, without letting one through. */
  get available(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.trialRunning);
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = undefined;
    this.trialRunning = false;
  }

  failed(): void {
    this.failures += 1;
    if (this.trialRunning || this.failures >= this.threshold) this.openUntil = this.now() + this.coolDownMs;
    this.trialRunning = false;
  }

  /** A call that ended without saying anything about the service (its caller gave up): a trial may run again. */
  abandoned(): void {
    this.trialRunning = false;
  }
}
