// Simulated shops in tests live at a fixed moment, so a run never depends on today's date: the
// history a seed generates is the same on every machine and every day. The clock then moves on with
// real time, because live orders, webhooks and retries need time to pass.

/** The instant every simulated shop in the tests is generated at. */
export const SIMULATED_NOW = Date.parse('2026-06-15T12:00:00Z');

/** A clock that reads `start` when made and advances with real time from then on. */
export function simulatedClock(start = SIMULATED_NOW): () => Date {
  const origin = performance.now();
  return () => new Date(start + Math.floor(performance.now() - origin));
}
