// Prometheus metrics: process, HTTP latency, jobs, database pool, the host. Served at /metrics.
import client from 'prom-client';
import type pg from 'pg';
import { watchHost } from './host-metrics.ts';

export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly jobsProcessed: client.Counter<'queue' | 'outcome'>;
  readonly jobDuration: client.Histogram<'queue' | 'outcome'>;
  readonly eventsDispatched: client.Counter<'type'>;
  readonly loginFailures: client.Counter<'reason'>;

  constructor() {
    this.registry.setDefaultLabels({ app: 'shopkeep' });
    client.collectDefaultMetrics({ register: this.registry, prefix: 'shopkeep_' });
    this.httpDuration = new client.Histogram({
      name: 'shopkeep_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.jobsProcessed = new client.Counter({
      name: 'shopkeep_jobs_processed_total',
      help: 'Job runs by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [this.registry],
    });
    this.jobDuration = new client.Histogram({
      name: 'shopkeep_job_duration_seconds',
      help: 'Job run time by queue',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [this.registry],
    });
    this.eventsDispatched = new client.Counter({
      name: 'shopkeep_events_dispatched_total',
      help: 'Domain events taken from the outbox',
      labelNames: ['type'],
      registers: [this.registry],
    });
    this.loginFailures = new client.Counter({
      name: 'shopkeep_login_failures_total',
      help: 'Failed logins by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
  }

  watchPool(pool: pg.Pool): void {
    const registry = this.registry;
    new client.Gauge({
      name: 'shopkeep_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  /** The host's CPU, memory, disks, temperatures, clock (host-metrics.ts): for the process serving /metrics. */
  watchHost(dataDir: string): void {
    watchHost(this.registry, dataDir);
  }

  watchJobs(
    counts: () => Promise<{ queue: string; state: string; count: number }[]>,
    deadLetters: () => Promise<number>,
  ): void {
    new client.Gauge({
      name: 'shopkeep_jobs',
      help: 'Jobs waiting to run by queue and state (created, retry)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await counts().catch(() => []))
          this.set({ queue: row.queue, state: row.state }, row.count);
      },
    });
    new client.Gauge({
      name: 'shopkeep_jobs_dead_letters',
      help: 'Jobs that failed every attempt and wait for the owner',
      registers: [this.registry],
      async collect() {
        this.set(await deadLetters().catch(() => 0));
      },
    });
  }
}
