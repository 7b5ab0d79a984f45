// Where the brand voice lives: one row, edited in the dashboard or over the API, the default until then.
import type pg from 'pg';
import { orm, type Orm } from '../../../platform/db/orm.ts';
import { invalid } from '../../../platform/errors.ts';
import type { Faces } from '../../../platform/kit/faces.ts';
import { aiVoice } from '../schema.ts';
import { DEFAULT_VOICE, type VoiceProfile } from './voice.ts';

const LANGUAGE = /^[a-z]{2}$/;

export interface VoiceStoreOptions {
  db: pg.Pool;
  /** Who changed the voice, and to what tone. */
  audit: Faces['audit'];
}

export class VoiceStore {
  private readonly db: Orm;
  private readonly audit: Faces['audit'];

  constructor({ db, audit }: VoiceStoreOptions) {
    this.db = orm(db);
    this.audit = audit;
  }

  async get(): Promise<VoiceProfile> {
    const [row] = await this.db.select().from(aiVoice);
    return row?.profile ?? DEFAULT_VOICE;
  }

  async set(profile: VoiceProfile, by: string): Promise<VoiceProfile> {
    const clean: VoiceProfile = {
      tone: profile.tone.trim(),
      wordsToUse: words(profile.wordsToUse),
      wordsToAvoid: words(profile.wordsToAvoid),
      emojiPolicy: profile.emojiPolicy,
      languages: [...new Set(profile.languages.map((l) => l.trim().toLowerCase()).filter(Boolean))],
    };
    if (!clean.tone) throw invalid('describe the tone in a few words');
    if (!['none', 'few', 'many'].includes(clean.emojiPolicy))
      throw invalid('emoji policy is none, few or many');
    if (clean.languages.length === 0 || !clean.languages.every((l) => LANGUAGE.test(l))) {
      throw invalid('languages are two-letter codes such as en, de, fr');
    }
    await this.db
      .insert(aiVoice)
      .values({ id: true, profile: clean, updatedBy: by })
      .onConflictDoUpdate({
        target: aiVoice.id,
        set: { profile: clean, updatedBy: by, updatedAt: new Date() },
      });
    await this.audit.record({
      actor: by,
      actorLabel: by,
      action: 'ai.voice',
      outcome: 'ok',
      details: { tone: clean.tone },
    });
    return clean;
  }
}

function words(list: string[]): string[] {
  return [...new Set(list.map((w) => w.trim()).filter((w) => w.length > 0 && w.length <= 60))].slice(0, 50);
}
