// What other modules may do with approvals: ask the owner (the writer, and soon social and mail),
// show and decide requests (the Telegram bot), and read or flip the pause switch (the bot; publishing
// and sending check it before every outside effect). Expiry is the module's own job.
import type { ApprovalStatus } from './schema.ts';

export type { ApprovalStatus };

/** A request for the owner's decision, as stored. */
import type { ReviewNote } from './schema.ts';

export type { ReviewNote };

export interface Approval {
  id: string;
  createdAt: Date;
  /** What is to be approved: social.post, mail.reply, … */
  kind: string;
  channel: string;
  title: string;
  text: string;
  productIds: string[];
  qaReviewId: string | null;
  score: number | null;
  lowConfidence: boolean;
  status: ApprovalStatus;
  expiresAt: Date;
  onExpiry: 'skip' | 'evergreen';
  decidedAt: Date | null;
  decidedBy: string | null;
  /** The text that goes out: the draft when approved, the owner's words when edited. */
  finalText: string | null;
  note: string | null;
  /** What the reviewer said: each criterion's score and what must be fixed (null: not reviewed). */
  review: ReviewNote | null;
}

export interface NewApproval {
  kind: string;
  channel: string;
  title: string;
  text: string;
  productIds?: string[];
  qaReviewId?: string;
  score?: number;
  lowConfidence?: boolean;
  review?: ReviewNote;
  expiresInHours?: number;
  onExpiry?: 'skip' | 'evergreen';
}

export type DecisionAction = 'approve' | 'edit' | 'reject' | 'regenerate';

export interface Decision {
  action: DecisionAction;
  /** The new text, for edit. */
  text?: string | undefined;
  /** Why, for reject and regenerate. */
  reason?: string | undefined;
}

/** Who decided or paused, as the audit log records them. */
export interface Decider {
  actor: string;
  label: string;
  ip?: string;
}

export interface PauseState {
  paused: boolean;
  changedAt?: Date;
  changedBy?: string;
}

export interface Approvals {
  request(input: NewApproval): Promise<Approval>;
  /** Oldest first when pending, newest first otherwise. */
  list(status?: ApprovalStatus, limit?: number): Promise<Approval[]>;
  get(id: string): Promise<Approval>;
  /** The requests made for these QA reviews (a draft the gate sent to the owner), by review id. */
  byReviews(reviewIds: string[]): Promise<Map<string, Approval>>;
  /** Taken once: a request already decided or expired answers with a conflict saying what happened. */
  decide(id: string, decision: Decision, by: Decider): Promise<Approval>;
  paused(): Promise<PauseState>;
  setPaused(paused: boolean, by: Decider): Promise<void>;
}
