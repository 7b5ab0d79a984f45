// How an approval request looks in Telegram: the draft, its score and breakdown, four buttons whose
// callback data carries only the request id and a letter (Telegram allows 64 bytes).
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Approval } from '../approvals/index.ts';
import type { ReviewSummary } from '../ai/index.ts';
import type { CatalogProduct } from '../shop/index.ts';

export const ACTIONS = { y: 'approve', e: 'edit', r: 'regenerate', n: 'reject' } as const;
export type ActionLetter = keyof typeof ACTIONS;

export function cardText(approval: Approval, review: ReviewSummary | undefined): string {
  const lines = [`📝 ${approval.title}`];
  if (approval.score !== null)
    lines.push(`Score ${approval.score}/100${approval.lowConfidence ? ' · ⚠️ low confidence' : ''}`);
  if (review?.criteria.length)
    lines.push(review.criteria.map((c) => `${c.name.replace(/_/g, ' ')} ${c.score}`).join(' · '));
  for (const fail of review?.hardFails ?? []) lines.push(`Must fix: ${fail}`);
  lines.push('', approval.text);
  return truncate(lines.join('\n'), 3900);
}

/** The caption of a card's product photo (Telegram allows 1,024 characters). */
export function photoCaption(approval: Approval, product: CatalogProduct): string {
  return truncate(`🖼 ${product.title}, for ${approval.title.split(':')[0]}`, 1000);
}

export function cardKeyboard(approvalId: string): InlineKeyboardMarkup {
  const button = (text: string, letter: ActionLetter) => ({
    text,
    callback_data: `ap:${approvalId}:${letter}`,
  });
  return {
    inline_keyboard: [
      [button('✅ Approve', 'y'), button('✏️ Edit', 'e')],
      [button('🔁 Regenerate', 'r'), button('❌ Reject', 'n')],
    ],
  };
}

export function parseCallback(
  data: string,
): { approvalId: string; action: (typeof ACTIONS)[ActionLetter] } | undefined {
  const match = data.match(/^ap:([0-9a-f-]{36}):([yern])$/);
  return match ? { approvalId: match[1]!, action: ACTIONS[match[2] as ActionLetter] } : undefined;
}

const OUTCOME: Record<string, string> = {
  approved: '✅ Approved',
  edited: '✏️ Edited and approved',
  rejected: '❌ Rejected',
  expired: '⌛ Expired',
};

export function outcomeText(approval: Approval): string {
  const who = approval.decidedBy && approval.decidedBy !== 'expiry' ? ` by ${approval.decidedBy}` : '';
  const note = approval.note ? ` (${approval.note})` : '';
  return truncate(
    `${OUTCOME[approval.status] ?? approval.status}${who}${note}\n\n📝 ${approval.title}\n\n${approval.finalText ?? approval.text}`,
    3900,
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
