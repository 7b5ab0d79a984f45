// Events leaving shopkeep: signed outgoing webhooks (n8n, Node-RED, Zapier) and, when configured, an
// MQTT broker. The outbox and its dispatcher are the kernel's; this part adds the two sinks.
import { defineJob } from '../jobs/job-queue.ts';
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { WebhookEndpoints } from './webhooks.ts';
import { MqttBridge } from './mqtt.ts';
import type { OutgoingWebhooks } from './face.ts';
import * as tables from './schema.ts';
import { webhookRoutes } from './routes.ts';

export type { OutgoingWebhooks } from './face.ts';
export type { WebhookEndpoint } from './webhooks.ts';

export interface EventsParts {
  webhooks: WebhookEndpoints;
  mqtt: MqttBridge | undefined;
  pruneDelivered: () => Promise<void>;
}

declare module '../kit/faces.ts' {
  interface Faces {
    webhooks: OutgoingWebhooks;
  }
}

const definition = defineModule<undefined, EventsParts>({
  name: 'events',
  migrations: { dir: sourcePath('platform/events/migrations') },
  tables,
  needs: ['vault'],
  build({ db, config, events, use }) {
    const webhooks = new WebhookEndpoints({ pool: db, vault: use('vault') });
    events.addSink(webhooks.sink());
    const mqtt = config.mqttUrl ? new MqttBridge({ pool: db, url: config.mqttUrl }) : undefined;
    if (mqtt) events.addSink(mqtt.sink());
    return { webhooks, mqtt, pruneDelivered: () => events.pruneDelivered() };
  },
  provides: { webhooks: ({ webhooks }) => webhooks },
  jobs: ({ webhooks, mqtt, pruneDelivered }) => [
    webhooks.job,
    ...(mqtt ? [mqtt.job] : []),
    defineJob({ name: 'ops.prune-events', cron: '23 3 * * *', handler: pruneDelivered }),
  ],
  http: [{ prefix: '/api/v1/webhooks', register: webhookRoutes }],
  stop: ({ mqtt }) => mqtt?.close(),
});

export default definition;
