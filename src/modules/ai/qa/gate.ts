// Routing: above the auto-approve threshold a draft goes out by itself, between the thresholds the
// owner decides, below it is written again with the feedback. A hard finding sends it back whatever
// the score; after the last attempt it goes to the owner marked low-confidence.
export type Decision = 'auto_approve' | 'owner_approval' | 'regenerate';

export interface Thresholds {
  autoApproveAbove: number;
  regenerateBelow: number;
  maxAttempts: number;
}

export function route(
  score: number,
  hardFails: number,
  attempt: number,
  thresholds: Thresholds,
): { decision: Decision; lowConfidence: boolean } {
  const lastAttempt = attempt >= thresholds.maxAttempts;
  if (hardFails > 0 || score < thresholds.regenerateBelow) {
    return lastAttempt
      ? { decision: 'owner_approval', lowConfidence: true }
      : { decision: 'regenerate', lowConfidence: false };
  }
  if (score > thresholds.autoApproveAbove) return { decision: 'auto_approve', lowConfidence: false };
  return { decision: 'owner_approval', lowConfidence: false };
}
