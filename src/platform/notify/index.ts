// Notify: what shopkeep tells the owner (summaries, alerts), kept in the Inbox and announced to the
// channels (Telegram) by an event.
import { defineModule } from '../kit/module.ts';
import { sourcePath } from '../paths.ts';
import { Notifications } from './notifications.ts';
import type { Notifier } from './face.ts';
import * as tables from './schema.ts';
import { inboxPages, inboxRoutes } from './routes.ts';
import { notifyEvents } from './events.ts';
import { notifyHome } from './home.ts';

export type { Notifier } from './face.ts';
export type { Notice, StoredNotice } from './notifications.ts';

export interface NotifyParts {
  notifications: Notifications;
}

declare module '../kit/faces.ts' {
  interface Faces {
    notifications: Notifier;
  }
}

const definition = defineModule<undefined, NotifyParts>({
  name: 'notify',
  migrations: { dir: sourcePath('platform/notify/migrations') },
  tables,
  events: notifyEvents,
  build: ({ db }) => ({ notifications: new Notifications({ pool: db }) }),
  provides: { notifications: ({ notifications }) => notifications },
  http: [
    { prefix: '/api/v1/notifications', register: inboxRoutes },
    { prefix: '/inbox', register: inboxPages },
  ],
  menu: [{ href: '/inbox', label: 'Inbox', position: 20 }],
  home: ({ notifications }) => notifyHome(notifications),
});

export default definition;
