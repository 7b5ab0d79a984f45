// Writes a post about a product and takes it through the QA gate: a rewrite with the reviewer's
// feedback while the gate says so, then either approved by the gate or sent to the owner. The
// social module will call this same service; until it exists, the CLI and the dashboard do.
import { promptTemplate, renderPrompt } from './prompts.ts';
import { toDecimal } from '../../platform/money.ts';
import type pg from 'pg';
import { transaction } from '../../platform/db/database.ts';
import { emit } from '../../platform/events/outbox.ts';
import { notFound } from '../../platform/errors.ts';
import type { Faces } from '../../platform/kit/faces.ts';
import type { LanguageModels, Writer } from './face.ts';
import type { Catalog, CatalogProduct } from '../shop/index.ts';
import { CHANNELS, type Channel } from './qa/channels.ts';
import type { QaResult, QaService } from './qa/qa-service.ts';
import { DEFAULT_VOICE, type VoiceProfile } from './qa/voice.ts';

export interface DraftRequest {
  channel: Channel;
  productId: string;
  /** What the owner asked to change (a Regenerate press). */
  feedback?: string;
  /** What this post is for, from the plan: its theme, its audience, what earlier tests taught. */
  brief?: string;
}

/** A caption someone wrote (the owner, a CSV), to go through the same gate. */
export interface ReviewRequest {
  channel: Channel;
  text: string;
  productIds: string[];
  /** How the owner sees it in the approval queue. */
  title: string;
}

export interface DraftOutcome {
  outcome: 'approved' | 'awaiting_owner';
  text: string;
  review: QaResult;
  attempts: number;
  approvalId?: string;
  provider: string;
}

export interface PostWriterOptions {
  db: pg.Pool;
  ai: LanguageModels;
  qa: Pick<QaService, 'check'>;
  catalog: Catalog;
  /** Where a draft the gate does not approve by itself waits for the owner. */
  approvals: Pick<Faces['approvals'], 'request'>;
  /** Drafts written for one request, at most (the last goes to the owner whatever its score). */
  maxAttempts: number;
  voice?: () => Promise<VoiceProfile> | VoiceProfile;
}

export class PostWriter implements Writer {
  private readonly pool: pg.Pool;
  private readonly ai: LanguageModels;
  private readonly qa: Pick<QaService, 'check'>;
  private readonly catalog: Catalog;
  private readonly approvals: Pick<Faces['approvals'], 'request'>;
  private readonly maxAttempts: number;
  private readonly voice: () => Promise<VoiceProfile> | VoiceProfile;

  constructor({
    db,
    ai,
    qa,
    catalog,
    approvals,
    maxAttempts,
    voice = () => DEFAULT_VOICE,
  }: PostWriterOptions) {
    this.pool = db;
    this.ai = ai;
    this.qa = qa;
    this.catalog = catalog;
    this.approvals = approvals;
    this.maxAttempts = maxAttempts;
    this.voice = voice;
  }

  async draft(request: DraftRequest): Promise<DraftOutcome> {
    const [product] = await this.catalog.products([request.productId]);
    if (!product) throw notFound(`no product ${request.productId} in the catalog`);
    let feedback = request.feedback ? [`The owner asked: ${request.feedback}`] : [];
    const voice = await this.voice();
    for (let attempt = 1; ; attempt += 1) {
      const written = await this.ai.generate({
        feature: 'social.caption',
        ...brief(request.channel, product, voice, feedback, request.brief ?? ''),
        temperature: 0.8,
        maxOutputTokens: 600,
        offline: () => template(request.channel, product, attempt),
      });
      const text = written.text.trim();
      const review = await this.qa.check({
        channel: request.channel,
        text,
        productIds: [product.id],
        attempt,
      });
      const outcome = await this.settle(
        {
          channel: request.channel,
          text,
          productIds: [product.id],
          title: `${request.channel}: ${product.title}`,
        },
        review,
        attempt >= this.maxAttempts,
      );
      if (outcome) return { ...outcome, attempts: attempt, provider: written.provider };
      feedback = [
        ...review.hardFails.map((f) => f.message),
        ...review.criteria.filter((c) => c.score < 8).map((c) => `${c.name}: ${c.feedback}`),
      ];
    }
  }
  /** Takes a caption someone wrote through the gate: approved by it, or to the owner (never rewritten). */
  async review(request: ReviewRequest): Promise<DraftOutcome> {
    const review = await this.qa.check({
      channel: request.channel,
      text: request.text,
      productIds: request.productIds,
      attempt: 1,
    });
    const outcome = await this.settle(request, review, true);
    return { ...outcome!, attempts: 1, provider: 'owner' };
  }

  /** What the gate's decision means: approved, or a request to the owner; undefined to write again. */
  private async settle(
    draft: ReviewRequest,
    review: QaResult,
    last: boolean,
  ): Promise<Omit<DraftOutcome, 'attempts' | 'provider'> | undefined> {
    if (review.decision === 'auto_approve') {
      await transaction(this.pool, (client) =>
        emit(client, 'post.approved', {
          channel: draft.channel,
          text: draft.text,
          productIds: draft.productIds,
          qaReviewId: review.id,
          approvedBy: 'qa-gate',
        }),
      );
      return { outcome: 'approved', text: draft.text, review };
    }
    if (review.decision !== 'owner_approval' && !last) return undefined;
    const approval = await this.approvals.request({
      kind: 'social.post',
      channel: draft.channel,
      title: draft.title,
      text: draft.text,
      productIds: draft.productIds,
      qaReviewId: review.id,
      score: review.score,
      lowConfidence: review.lowConfidence,
      review: {
        criteria: review.criteria.map(({ name, score }) => ({ name, score })),
        mustFix: review.hardFails.map((fail) => fail.message),
      },
    });
    return { outcome: 'awaiting_owner', text: draft.text, review, approvalId: approval.id };
  }
}

/** The writer's brief (prompts/social-caption.md) for one post about a product. */
function brief(
  channel: Channel,
  product: CatalogProduct,
  voice: VoiceProfile,
  feedback: string[],
  plan: string,
) {
  return renderPrompt(promptTemplate('social-caption'), {
    channel,
    tone: voice.tone,
    wordsToUse: voice.wordsToUse.join(', '),
    wordsToAvoid: voice.wordsToAvoid.join(', '),
    product: product.title,
    price: `${toDecimal(product.priceMinor, product.currency)} ${product.currency}`,
    stock: product.available ? 'in stock' : 'out of stock',
    maxChars: String(Math.min(CHANNELS[channel].maxChars, 600)),
    maxHashtags: String(CHANNELS[channel].maxHashtags),
    brief: plan,
    feedback: feedback.length
      ? `Fix these points from the review of the last version:\n- ${feedback.join('\n- ')}`
      : '',
  });
}

const OPENERS = ['Meet', 'Say hello to', 'Your new favourite:'];

/** The offline writer: a post from catalog facts, a little different on each attempt. */
export function template(channel: Channel, product: CatalogProduct, attempt: number): string {
  const price = `${product.currency === 'GBP' ? '£' : product.currency === 'EUR' ? '€' : product.currency === 'USD' ? '$' : ''}${toDecimal(product.priceMinor, product.currency)}`;
  const opener = OPENERS[(attempt - 1) % OPENERS.length];
  const action = CHANNELS[channel].clickableLinks
    ? 'Shop now in our online store!'
    : 'Shop via the link in bio!';
  return `${opener} ${product.title}: glossy, healthy-looking hair made simple ✨ Just ${price}. ${action}`;
}
