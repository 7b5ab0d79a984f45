// Matching a bank statement's lines to what the books hold on that bank account: same amount, a day
// close enough (a payout lands a day or three after Shopify issues it), and a reference in common
// when there is one. Each line and each booked movement is used once; the best pairs go first. A pair
// is sure (matched at once) when the reference agrees, or when neither side has another candidate;
// the rest are suggestions for the owner. Pure: tested fast, run on 5,000 lines in milliseconds.

export interface BankLine {
  id: number;
  day: string;
  amount: number;
  description: string;
  reference: string | null;
}

export interface BookedMovement {
  entryId: number;
  day: string;
  amount: number;
  description: string;
  /** The Shopify payout id, the expense's invoice number, the journal's reference. */
  sourceId: string | null;
}

export interface Candidate {
  lineId: number;
  entryId: number;
  score: number;
  /** The line's text names the entry's reference (a payout id, an invoice number). */
  referenced: boolean;
  days: number;
}

const DAY = 86_400_000;
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY);

/** The line's text holds the entry's reference (at least four characters, so "12" matches nothing by chance). */
function referenced(line: BankLine, booked: BookedMovement): boolean {
  const text = `${line.description} ${line.reference ?? ''}`.toLowerCase();
  const keys = [booked.sourceId, ...booked.description.split(/\s+/).filter((word) => /\d{4,}/.test(word))]
    .filter((key): key is string => Boolean(key && key.length >= 4))
    .map((key) => key.toLowerCase().replace(/[^a-z0-9-]/g, ''));
  return keys.some((key) => key.length >= 4 && text.includes(key));
}

/** Every plausible pair, scored: the same amount within `windowDays` either way. */
export function candidates(lines: BankLine[], booked: BookedMovement[], windowDays = 7): Candidate[] {
  const byAmount = new Map<number, BookedMovement[]>();
  for (const movement of booked) {
    const list = byAmount.get(movement.amount) ?? [];
    list.push(movement);
    byAmount.set(movement.amount, list);
  }
  const found: Candidate[] = [];
  for (const line of lines) {
    for (const movement of byAmount.get(line.amount) ?? []) {
      const days = daysBetween(movement.day, line.day);
      if (Math.abs(days) > windowDays) continue;
      const hit = referenced(line, movement);
      // Money usually reaches the bank on the day or a little after the books date it.
      const score = (hit ? 100 : 0) + 50 - Math.abs(days) * 5 - (days < 0 ? 5 : 0);
      found.push({ lineId: line.id, entryId: movement.entryId, score, referenced: hit, days });
    }
  }
  return found;
}

/**
 * The pairs to make, each line and movement once: `sure` are matched at once, `suggested` wait for the
 * owner (every remaining candidate of an unmatched line, best first).
 */
export function matchLines(
  lines: BankLine[],
  booked: BookedMovement[],
  windowDays = 7,
): { sure: Candidate[]; suggested: Map<number, Candidate[]> } {
  const all = candidates(lines, booked, windowDays);
  const perLine = new Map<number, number>();
  const perEntry = new Map<number, number>();
  for (const pair of all) {
    perLine.set(pair.lineId, (perLine.get(pair.lineId) ?? 0) + 1);
    perEntry.set(pair.entryId, (perEntry.get(pair.entryId) ?? 0) + 1);
  }
  const usedLines = new Set<number>();
  const usedEntries = new Set<number>();
  const sure: Candidate[] = [];
  for (const pair of [...all].sort((a, b) => b.score - a.score || a.lineId - b.lineId)) {
    if (usedLines.has(pair.lineId) || usedEntries.has(pair.entryId)) continue;
    const alone = perLine.get(pair.lineId) === 1 && perEntry.get(pair.entryId) === 1;
    if (!pair.referenced && !alone) continue;
    usedLines.add(pair.lineId);
    usedEntries.add(pair.entryId);
    sure.push(pair);
  }
  const suggested = new Map<number, Candidate[]>();
  for (const pair of all) {
    if (usedLines.has(pair.lineId) || usedEntries.has(pair.entryId)) continue;
    const list = suggested.get(pair.lineId) ?? [];
    list.push(pair);
    suggested.set(pair.lineId, list);
  }
  for (const list of suggested.values()) list.sort((a, b) => b.score - a.score);
  return { sure, suggested };
}
