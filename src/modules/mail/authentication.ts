// The receiving server's verdict on who sent a message (RFC 8601 Authentication-Results). Only the
// topmost header counts, or the one from the server named by MAIL_AUTHSERV_ID: anything below it was
// written before the message reached the shop's provider, possibly by the sender. A verdict is kept
// with the domain it is about, so a pass for another domain than the From address is no pass.
export type Dmarc = { result: 'pass' | 'fail' | 'none'; domain: string | null };

export function dmarcVerdict(headers: string[], authservId?: string): Dmarc {
  const header = authservId
    ? headers.find((h) => h.split(';')[0]!.trim().split(/\s+/)[0]!.toLowerCase() === authservId.toLowerCase())
    : headers[0];
  if (!header) return { result: 'none', domain: null };
  // Drop comments, then read each "method=result" with its properties.
  const clean = header.replace(/\([^()]*\)/g, ' ');
  const dmarc = /(?:^|;)\s*dmarc\s*=\s*([a-z]+)([^;]*)/i.exec(clean);
  if (!dmarc) return { result: 'none', domain: null };
  const result = dmarc[1]!.toLowerCase();
  const domain = /header\.from\s*=\s*"?([^\s";]+)/i.exec(dmarc[2]!)?.[1]?.toLowerCase() ?? null;
  return { result: result === 'pass' ? 'pass' : result === 'none' ? 'none' : 'fail', domain };
}

/** Whether the message's From address is proven: DMARC passed for the From domain. */
export function senderProven(dmarc: Dmarc, fromAddress: string): boolean {
  if (dmarc.result !== 'pass') return false;
  const domain = fromAddress.split('@')[1]?.toLowerCase();
  return !!domain && (dmarc.domain === null || dmarc.domain === domain);
}
