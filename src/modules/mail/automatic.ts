// Mail that must never get an automatic answer (RFC 3834 section 2, and what mailing lists and
// autoresponders put in their headers): the reason, or undefined when a person may have written it.
import type { RuleHeaders } from './message.ts';

export function automaticReason(
  headers: RuleHeaders,
  fromAddress: string,
  shopAddresses: readonly string[],
): string | undefined {
  const autoSubmitted = headers.autoSubmitted?.split(';')[0]!.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headers.precedence?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  if (headers.listId) return 'it came through a mailing list (List-Id)';
  if (headers.listUnsubscribe) return 'it is bulk mail (List-Unsubscribe)';
  if (headers.returnPath !== undefined && /^<\s*>$/.test(headers.returnPath.trim()))
    return 'its Return-Path is empty (a bounce or a system message)';
  if (headers.xAutoResponseSuppress && /\b(all|oof|autoreply)\b/i.test(headers.xAutoResponseSuppress))
    return 'the sender asked for no automatic replies (X-Auto-Response-Suppress)';
  const from = fromAddress.toLowerCase();
  if (!from) return 'it has no sender address';
  if (shopAddresses.some((address) => address.toLowerCase() === from)) return 'it came from the shop itself';
  if (/^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+@.-]|$)/.test(from))
    return `${from.split('@')[0]} addresses are machines`;
  return undefined;
}
