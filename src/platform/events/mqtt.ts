// Optional MQTT bridge: every event is published (QoS 1) to shopkeep/events/<type> on the broker
// named by SHOPKEEP_MQTT_URL, for Node-RED and home-automation dashboards.
import type { MqttClient } from 'mqtt';
import type pg from 'pg';
import { defineJob, type JobDefinition } from '../jobs/job-queue.ts';
import { loadEvent, type EventSink } from './outbox.ts';

export class MqttBridge {
  readonly job: JobDefinition<{ eventId: number; target: string }>;
  private readonly pool: pg.Pool;
  private readonly url: string;
  private readonly topicPrefix: string;
  private client: MqttClient | undefined;

  constructor(options: {
    pool: pg.Pool;
    /** SHOPKEEP_MQTT_URL: mqtt://host:1883, with a user and password when the broker asks for them. */
    url: string;
    topicPrefix?: string;
  }) {
    this.pool = options.pool;
    this.url = options.url;
    this.topicPrefix = options.topicPrefix ?? 'shopkeep/events';
    this.job = defineJob({
      name: 'events.mqtt-publish',
      retryLimit: 8,
      handler: ({ eventId }) => this.publish(eventId),
    });
  }

  sink(): EventSink {
    return { job: this.job, targets: async () => () => ['mqtt'] };
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  private async publish(eventId: number): Promise<void> {
    const event = await loadEvent(this.pool, eventId);
    if (!event) return;
    // mqtt.js is loaded when the first event goes out, not by every shopkeep that has no broker.
    const { default: mqtt } = await import('mqtt');
    this.client ??= mqtt.connect(this.url, {
      clientId: `shopkeep-${process.pid}`,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
    });
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt,
      payload: event.payload,
    });
    // mqtt.js queues while the broker is away; give up after a while so the job retries with backoff.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`MQTT broker ${new URL(this.url).host} did not acknowledge in 10s`)),
        10_000,
      );
    });
    try {
      await Promise.race([
        this.client.publishAsync(`${this.topicPrefix}/${event.type}`, body, { qos: 1 }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
