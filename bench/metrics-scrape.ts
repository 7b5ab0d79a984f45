// GET /metrics on the running server as Prometheus on the Pi does it (budget: p95 ≤ 20 ms). The
// collectors of one scrape share reads for a second; scrapes are spaced past that, so each one reads
// the host's files and the database afresh, as a scrape every 30 s does.
import { setTimeout as sleep } from 'node:timers/promises';

const SCRAPES = 50;
const APART_MS = 1100;

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

export async function timeMetricsScrapes(
  port: number,
): Promise<{ p95Ms: number; p50Ms: number; scrapes: number }> {
  const url = `http://127.0.0.1:${port}/metrics`;
  const times: number[] = [];
  for (let scrape = 0; scrape < SCRAPES; scrape++) {
    await sleep(APART_MS);
    const started = performance.now();
    const response = await fetch(url);
    const body = await response.text();
    times.push(performance.now() - started);
    // A scrape that was refused, or that lacks the host's figures, measures the wrong thing.
    if (response.status !== 200 || !body.includes('node_cpu_seconds_total'))
      throw new Error(`GET /metrics answered ${response.status}: ${body.slice(0, 200)}`);
  }
  return { p95Ms: percentile(times, 0.95), p50Ms: percentile(times, 0.5), scrapes: SCRAPES };
}
