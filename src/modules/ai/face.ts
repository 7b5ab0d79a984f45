// What other modules may ask of the AI module. The books read receipts with a model (structured
// output from a photo); the Telegram bot hears voice notes and shows a draft's review beside it; the
// social module (and the dashboard and the CLI until it exists) has posts written and reviewed.
import type { TextRequest } from './providers/types.ts';
import type { Generated } from './ai-service.ts';
import type { DraftOutcome, DraftRequest, ReviewRequest } from './writer.ts';
import type { QaRequest, QaResult } from './qa/qa-service.ts';

/** The language models, in the order the owner configured them, the offline one last. */
export interface LanguageModels {
  /** A text or, with `schema`, a checked JSON value; from a fallback provider when the first fails. */
  generate<T = string>(request: TextRequest): Promise<Generated<T>>;
  /** Speech to text (a voice note); needs an OpenAI-compatible endpoint. */
  transcribe(audio: Buffer, mimeType: string, fileName: string): Promise<string>;
}

/** A stored review's scores and hard findings, for showing beside its draft. */
export interface ReviewSummary {
  criteria: { name: string; score: number }[];
  hardFails: string[];
}

/** The QA gate's reviews. */
export interface QaReviews {
  summary(reviewId: string): Promise<ReviewSummary | undefined>;
  /** Scores a text someone else drafted (an email reply) and routes it; stored like every review. */
  check(request: QaRequest): Promise<QaResult>;
}

/** Writes a post about a product and takes it through the QA gate, to the owner if the gate says so. */
export interface Writer {
  draft(request: DraftRequest): Promise<DraftOutcome>;
  /** Takes a caption someone wrote (the owner, a CSV import) through the same gate. */
  review(request: ReviewRequest): Promise<DraftOutcome>;
}
