// The QA gate: deterministic checks first, then the rubric from a model (or the rule-based reviewer),
// then routing. Every decision is stored with its breakdown.
import type pg from 'pg';
import type { QaConfig } from '../settings.ts';
import { ReviewStore } from './review-store.ts';
import type { LanguageModels, QaReviews, ReviewSummary } from '../face.ts';
import type { Catalog } from '../../shop/index.ts';
import type { Channel } from './channels.ts';
import { runChecks } from './checks.ts';
import { route, type Decision, type Thresholds } from './gate.ts';
import {
  CRITERIA,
  RUBRIC_SCHEMA,
  finalScore,
  offlineRubric,
  rubricPrompt,
  type CriterionScore,
} from './rubric.ts';
import { DEFAULT_VOICE, type VoiceProfile } from './voice.ts';

export interface QaRequest {
  channel: Channel;
  text: string;
  productIds?: string[];
  attempt?: number; // 1 for a first draft; the gate gives up regenerating after the last
  /** Amounts the text may quote besides product prices (an email reply's order total). */
  knownAmounts?: { currency: string; minor: number }[];
}

export interface QaResult {
  id: string;
  score: number;
  decision: Decision;
  lowConfidence: boolean;
  hardFails: { check: string; message: string }[];
  findings: { check: string; message: string; penalty: number }[];
  criteria: CriterionScore[];
  reviewer: { provider: string; model: string; fellBack: boolean };
}

const DUPLICATE_WINDOW_DAYS = 90;

export interface QaServiceOptions {
  db: pg.Pool;
  ai: LanguageModels;
  catalog: Catalog;
  /** The shop's thresholds, and those of channels with their own. */
  thresholds: Thresholds & { channels?: QaConfig['channels'] };
  /** The brand voice drafts are held to (the stored one; the default until the owner sets it). */
  voice?: () => Promise<VoiceProfile> | VoiceProfile;
}

export class QaService implements QaReviews {
  private readonly reviews: ReviewStore;
  private readonly ai: LanguageModels;
  private readonly catalog: Catalog;
  private readonly thresholds: QaServiceOptions['thresholds'];
  private readonly voice: () => Promise<VoiceProfile> | VoiceProfile;

  constructor({ db, ai, catalog, thresholds, voice = () => DEFAULT_VOICE }: QaServiceOptions) {
    this.reviews = new ReviewStore(db);
    this.ai = ai;
    this.catalog = catalog;
    this.thresholds = thresholds;
    this.voice = voice;
  }

  /** The thresholds a channel's drafts are routed by: its own, or the shop's. */
  thresholdsFor(channel: string): Thresholds {
    return { ...this.thresholds, ...this.thresholds.channels?.[channel] };
  }

  async check(request: QaRequest): Promise<QaResult> {
    const productIds = [...new Set(request.productIds ?? [])];
    const products = await this.catalog.products(productIds);
    const unknownProductIds = productIds.filter((id) => !products.some((p) => p.id === id));
    const voice = await this.voice();
    const findings = runChecks({
      channel: request.channel,
      text: request.text,
      products,
      unknownProductIds,
      recent: await this.recent(request.channel),
      voice,
      knownAmounts: request.knownAmounts,
    });
    const input = { channel: request.channel, text: request.text, products, voice, findings };
    const answer = await this.ai.generate<{ criteria: CriterionScore[] }>({
      feature: 'qa.rubric',
      ...rubricPrompt(input),
      schema: RUBRIC_SCHEMA,
      temperature: 0,
      maxOutputTokens: 800,
      offline: () => JSON.stringify({ criteria: offlineRubric(input) }),
    });
    const criteria = completeCriteria(answer.value.criteria, input);
    const score = finalScore(criteria, findings);
    const hardFails = findings.filter((f) => f.hard);
    const attempt = request.attempt ?? 1;
    const { decision, lowConfidence } = route(
      score,
      hardFails.length,
      attempt,
      this.thresholdsFor(request.channel),
    );
    const id = await this.reviews.add({
      channel: request.channel,
      text: request.text,
      productIds,
      attempt,
      score,
      decision,
      lowConfidence,
      findings,
      criteria,
      reviewer: `${answer.provider}:${answer.model}`,
    });
    return {
      id,
      score,
      decision,
      lowConfidence,
      hardFails: hardFails.map(({ check, message }) => ({ check, message })),
      findings: findings
        .filter((f) => !f.hard)
        .map(({ check, message, penalty }) => ({ check, message, penalty })),
      criteria,
      reviewer: { provider: answer.provider, model: answer.model, fellBack: answer.fellBack },
    };
  }

  /** The scores and hard findings of a stored review, for showing beside its draft. */
  async summary(reviewId: string): Promise<ReviewSummary | undefined> {
    const review = await this.reviews.find(reviewId);
    if (!review) return undefined;
    return {
      criteria: review.criteria.map(({ name, score }) => ({ name, score })),
      hardFails: review.findings.filter((f) => f.hard).map((f) => f.message),
    };
  }

  /** Every draft the gate reviewed, newest first, a page at a time. */
  history(limit: number, before?: Date) {
    return this.reviews.history(limit, before);
  }

  /** What the gate decided since a moment: drafts it approved itself and those it sent to the owner. */
  decidedSince(since: Date): Promise<{ autoApproved: number; toOwner: number }> {
    return this.reviews.decidedSince(since);
  }

  /** Content that went out or was cleared to go out on the channel lately, for the near-duplicate check. */
  private async recent(channel: Channel): Promise<{ text: string; at: Date }[]> {
    return this.reviews.approvedSince(
      channel,
      new Date(Date.now() - DUPLICATE_WINDOW_DAYS * 86_400_000),
      300,
    );
  }
}

/** One score per criterion: a model that repeats or leaves one out gets the rule-based score there. */
function completeCriteria(
  given: CriterionScore[],
  input: Parameters<typeof offlineRubric>[0],
): CriterionScore[] {
  const fallback = offlineRubric(input);
  return CRITERIA.map((name) => given.find((c) => c.name === name) ?? fallback.find((c) => c.name === name)!);
}
