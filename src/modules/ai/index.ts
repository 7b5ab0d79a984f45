// AI: the providers that write (Gemini, OpenAI-compatible, Anthropic, offline rules), the QA gate that
// scores every draft, the brand voice, and the writer that takes a product through both to an approval.
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import { AiService } from './ai-service.ts';
import { QaService } from './qa/qa-service.ts';
import { VoiceStore } from './qa/voice-store.ts';
import { PostWriter } from './writer.ts';
import { aiSettings, type AiSettings } from './settings.ts';
import { aiCredentials } from './providers/credentials.ts';
import { aiEvents } from './events.ts';
import * as tables from './schema.ts';
import { aiRoutes } from './routes.ts';
import { aiPages } from './pages.ts';
import { aiSubscriptions } from './subscriptions.ts';
import { aiCommands } from './commands.ts';
import { writeNowPanel, writeNowRoute } from './write-now.ts';
import type { Catalog } from '../shop/index.ts';

export interface AiParts {
  ai: AiService;
  qa: QaService;
  voice: VoiceStore;
  writer: PostWriter;
  catalog: Catalog;
  settings: AiSettings;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    ai: AiService;
    qa: QaService;
    writer: PostWriter;
  }
}

export default defineModule<AiSettings, AiParts>({
  name: 'ai',
  migrations: { dir: sourcePath('modules/ai/migrations') },
  tables,
  events: aiEvents,
  settings: aiSettings,
  needs: ['approvals', 'catalog', 'notifications', 'audit'],
  credentials: ({ ai }) => aiCredentials(ai),
  build({ db, logger, metrics, settings, use }) {
    const catalog = use('catalog');
    const ai = new AiService(db, settings.ai, logger, metrics, undefined, undefined, use('notifications'));
    const voice = new VoiceStore(db, use('audit'));
    const qa = new QaService(db, ai, catalog, settings.qa, () => voice.get());
    const writer = new PostWriter(db, ai, qa, catalog, use('approvals'), settings.qa.maxAttempts, () =>
      voice.get(),
    );
    return { ai, qa, voice, writer, catalog, settings };
  },
  provides: { ai: ({ ai }) => ai, qa: ({ qa }) => qa, writer: ({ writer }) => writer },
  subscriptions: aiSubscriptions,
  http: [
    { prefix: '', register: aiRoutes },
    { prefix: '', register: aiPages },
    { prefix: '', register: writeNowRoute },
  ],
  menu: [{ href: '/ai', label: 'AI', position: 80 }],
  panels: ({ catalog }) => [writeNowPanel(catalog)],
  commands: aiCommands,
});
