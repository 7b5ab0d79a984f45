// AI: the providers that write (Gemini, OpenAI-compatible, Anthropic, offline rules), the QA gate that
// scores every draft, the brand voice, and the writer that takes a product through both to an approval.
import { aiHome } from './home.ts';
import { historyPage } from './history-page.ts';
import type { Approvals } from '../approvals/index.ts';
import { defineModule } from '../../platform/kit/module.ts';
import { sourcePath } from '../../platform/paths.ts';
import { AiService } from './ai-service.ts';
import { QaService } from './qa/qa-service.ts';
import { VoiceStore } from './qa/voice-store.ts';
import { PostWriter } from './writer.ts';
import { aiSettings } from './settings.ts';
import { aiCredentials } from './providers/credentials.ts';
import { aiEvents } from './events.ts';
import * as tables from './schema.ts';
import { aiRoutes, qaRoutes } from './routes.ts';
import { aiPages } from './pages.ts';
import { aiCommands } from './commands.ts';
import { writeNowPanel, writeNowRoute } from './write-now.ts';
import type { Catalog } from '../shop/index.ts';
import type { LanguageModels, QaReviews, Writer } from './face.ts';
import type { AiSettings } from './settings.ts';

export type { LanguageModels, QaReviews, ReviewSummary, Writer } from './face.ts';
export type { Generated } from './ai-service.ts';
export type { ImageInput, JsonSchema, TextRequest } from './providers/types.ts';
export type { DraftOutcome, DraftRequest, ReviewRequest } from './writer.ts';
export type { QaRequest, QaResult } from './qa/qa-service.ts';
export type { Channel } from './qa/channels.ts';
// What each channel accepts (caption length, hashtags, links): the social module's previews show it.
export { CHANNELS } from './qa/channels.ts';
export type { AiSettings } from './settings.ts';
// The books read receipts with a model: their prompt is one of the AI module's versioned files.
export { AiUnavailableError } from './ai-service.ts';
export { promptTemplate, renderPrompt } from './prompts.ts';

export interface AiParts {
  ai: AiService;
  qa: QaService;
  voice: VoiceStore;
  writer: PostWriter;
  catalog: Catalog;
  settings: AiSettings;
  approvals: Approvals;
}

declare module '../../platform/kit/faces.ts' {
  interface Faces {
    ai: LanguageModels;
    qa: QaReviews;
    writer: Writer;
  }
}

const definition = defineModule<AiSettings, AiParts>({
  name: 'ai',
  migrations: { dir: sourcePath('modules/ai/migrations') },
  tables,
  events: aiEvents,
  settings: aiSettings,
  needs: ['approvals', 'catalog', 'notifications', 'audit'],
  credentials: ({ ai }) => aiCredentials(ai),
  build({ db, logger, metrics, settings, use }) {
    const catalog = use('catalog');
    const ai = new AiService({
      db,
      settings: settings.ai,
      logger,
      metrics,
      notifications: use('notifications'),
    });
    const voice = new VoiceStore({ db, audit: use('audit') });
    const brandVoice = () => voice.get();
    const qa = new QaService({ db, ai, catalog, thresholds: settings.qa, voice: brandVoice });
    const writer = new PostWriter({
      db,
      ai,
      qa,
      catalog,
      approvals: use('approvals'),
      maxAttempts: settings.qa.maxAttempts,
      voice: brandVoice,
    });
    return { ai, qa, voice, writer, catalog, settings, approvals: use('approvals') };
  },
  provides: { ai: ({ ai }) => ai, qa: ({ qa }) => qa, writer: ({ writer }) => writer },
  http: [
    { prefix: '/api/v1/ai', register: aiRoutes },
    { prefix: '/api/v1/qa', register: qaRoutes },
    { prefix: '/ai', register: aiPages },
    { prefix: '/ai', register: historyPage },
    { prefix: '/approvals', register: writeNowRoute },
  ],
  menu: [{ href: '/ai', label: 'AI', position: 80 }],
  panels: ({ catalog }) => [writeNowPanel(catalog)],
  home: ({ approvals, qa }) => aiHome(approvals, qa),
  commands: aiCommands,
});

export default definition;
