// Social media: the content plan, posts written through the AI writer and its QA gate, approved on
// Telegram when the gate is unsure, published exactly once to Instagram, Facebook, TikTok and
// LinkedIn, and measured in the orders their links bring.
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import * as tables from './schema.ts';
import { socialEvents } from './events.ts';
import { socialSettings, type SocialSettings } from './settings.ts';
import { socialCredentials } from './credentials.ts';
import { SocialService } from './social-service.ts';
import { mediaRoutes, socialRoutes } from './routes.ts';
import { socialPages } from './pages.ts';
import { editorPages } from './editor-page.ts';
import { analyticsPage } from './analytics-page.ts';
import { socialTelegramCommands } from './telegram.ts';
import { socialHome } from './home.ts';
import { socialCommands } from './commands.ts';
import type { Catalog } from '../shop/index.ts';

export interface SocialParts {
  social: SocialService;
  catalog: Catalog;
}

const definition = defineModule<SocialSettings, SocialParts>({
  name: 'social',
  migrations: { dir: sourcePath('modules/social/migrations') },
  tables,
  events: socialEvents,
  settings: socialSettings,
  needs: ['shop', 'catalog', 'writer', 'approvals', 'notifications', 'vault'],
  credentials: (settings) => socialCredentials(settings),
  async build({ db, settings, config, jobs, logger, metrics, use, now }) {
    const social = new SocialService({
      db,
      settings,
      jobs,
      catalog: use('catalog'),
      shop: use('shop'),
      writer: use('writer'),
      approvals: use('approvals'),
      notifications: use('notifications'),
      vault: use('vault'),
      logger,
      metrics,
      timezone: config.timezone,
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      now,
    });
    await social.connections.load();
    return { social, catalog: use('catalog') };
  },
  jobs: ({ social }) => social.jobs(),
  start: async ({ social }, { work }) => {
    if (!work) return;
    await social.sweepSoon();
    await social.planSoon();
  },
  subscriptions: ({ social }) => social.subscriptions(),
  http: [
    { prefix: '/api/v1/social', register: socialRoutes },
    { prefix: '', register: mediaRoutes },
    { prefix: '/social', register: socialPages },
    { prefix: '/social', register: editorPages },
    { prefix: '/social', register: analyticsPage },
  ],
  menu: [{ href: '/social', label: 'Social', position: 30 }],
  home: ({ social }) => socialHome(social),
  telegram: ({ social }) => socialTelegramCommands(social),
  commands: socialCommands,
});

export default definition;
