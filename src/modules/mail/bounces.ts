// Delivery status notifications (RFC 3464): per recipient, the Final-Recipient, Action, Status (RFC
// 3463) and Diagnostic-Code; "failed" with a 5.x.x status is a hard bounce (the address goes on the
// suppression list), 4.x.x or "delayed" a soft one. The returned headers name the message that bounced.
import { messageIds } from './message.ts';

export interface BouncedRecipient {
  address: string;
  action: string;
  status: string;
  hard: boolean;
  diagnostic: string;
}

export interface Bounce {
  recipients: BouncedRecipient[];
  /** The Message-ID of the message that bounced, when the report returned its headers. */
  originalMessageId: string | null;
}

function fields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) map.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return map;
}

/** Reads a report's message/delivery-status part (and the returned headers when there are). */
export function readDeliveryStatus(status: string, returnedHeaders = ''): Bounce {
  const blocks = status
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .slice(1);
  const recipients: BouncedRecipient[] = [];
  for (const block of blocks) {
    const f = fields(block);
    const recipient = f.get('final-recipient') ?? f.get('original-recipient');
    if (!recipient) continue;
    const address = recipient.split(';').pop()!.trim().replace(/^<|>$/g, '').toLowerCase();
    const action = (f.get('action') ?? '').toLowerCase();
    const code = /\d\.\d{1,3}\.\d{1,3}/.exec(f.get('status') ?? '')?.[0] ?? '';
    recipients.push({
      address,
      action,
      status: code,
      hard: action === 'failed' && code.startsWith('5'),
      diagnostic: (f.get('diagnostic-code') ?? '').slice(0, 300),
    });
  }
  const returned = fields(returnedHeaders);
  return { recipients, originalMessageId: messageIds(returned.get('message-id'))[0] ?? null };
}
