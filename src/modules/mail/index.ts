// Mail: the shop's mailbox kept in step over IMAP, every message sorted with its reason, replies
// drafted in the owner's voice with the shop's facts, through the QA gate and the owner's approval
// (or sent by themselves in the categories the owner trusts), threaded and filed in Sent.
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import * as tables from './schema.ts';
import { mailEvents } from './events.ts';
import { mailSettings, type MailSettings } from './settings.ts';
import { mailCredentials } from './credentials.ts';
import { MailService } from './mail-service.ts';
import { mailRoutes } from './routes.ts';
import { mailPages } from './pages.ts';
import { mailHome } from './home.ts';
import { mailCommands } from './commands.ts';
import { mailTelegramCommands } from './telegram.ts';
import { alertEmails } from './alert-email.ts';
import type { Subscription } from '../../platform/events/outbox.ts';

export interface MailParts {
  mail: MailService;
  /** Warnings and critical alerts by email, when SHOPKEEP_ALERT_EMAIL is set. */
  alertEmail: Subscription | undefined;
  /** When this process started: what a stopped one left half-done is older. */
  startedAt: Date;
}

const definition = defineModule<MailSettings, MailParts>({
  name: 'mail',
  migrations: { dir: sourcePath('modules/mail/migrations') },
  tables,
  events: mailEvents,
  settings: mailSettings,
  needs: ['ai', 'qa', 'approvals', 'shop', 'catalog', 'notifications', 'ledger'],
  credentials: (settings) => mailCredentials(settings),
  build({ db, settings, config, jobs, metrics, logger, use, now, startedAt }) {
    const mail = new MailService({
      db,
      settings,
      jobs,
      metrics,
      ai: use('ai'),
      qa: use('qa'),
      ledger: use('ledger'),
      approvals: use('approvals'),
      shop: use('shop'),
      catalog: use('catalog'),
      notifications: use('notifications'),
      logger,
      timezone: config.timezone,
      dataDir: config.dataDir,
      now,
    });
    const alertEmail =
      settings.account && settings.alertEmail
        ? alertEmails(settings.account, settings.alertEmail, use('notifications'), config.publicUrl)
        : undefined;
    return { mail, startedAt, alertEmail };
  },
  jobs: ({ mail }) => mail.jobs(),
  subscriptions: ({ mail, alertEmail }) => [...mail.subscriptions(), ...(alertEmail ? [alertEmail] : [])],
  start: async ({ mail, startedAt }, { work }) => {
    if (!work) return;
    await mail.sweepSoon(startedAt);
    mail.startWatching();
  },
  stop: ({ mail }) => mail.stopWatching(),
  http: [
    { prefix: '/api/v1/mail', register: mailRoutes },
    { prefix: '/mail', register: mailPages },
  ],
  menu: [{ href: '/mail', label: 'Mail', position: 25 }],
  home: ({ mail }) => mailHome(mail),
  telegram: ({ mail }) => mailTelegramCommands(mail),
  commands: mailCommands,
});

export default definition;
