// The taxes a shop owes, as its returns are made: one per country and tax, the UK's nations
// together (one VAT return), named the way the owner says them ("Germany: VAT"), not as the books
// key them ("DE DE VAT", "GB-SCT VAT").
import type { TaxLine } from './reports.ts';

/** Country names, made when first asked for (the names' data costs a few MB of memory). */
let countries: Intl.DisplayNames | undefined;

/** "GB-SCT VAT" → { country: 'GB', tax: 'VAT' }; "DE DE VAT" → { country: 'DE', tax: 'VAT' }. */
function parse(jurisdiction: string): { country: string | undefined; tax: string } {
  const match = /^([A-Z]{2})(?:-[A-Z0-9]{1,3})? (.+)$/.exec(jurisdiction);
  if (!match) return { country: undefined, tax: jurisdiction };
  const country = match[1]!;
  // A title that names its country again ("DE VAT", "GB VAT") says it once.
  const tax = match[2]!.replace(new RegExp(`^${country}\\b\\s*`), '').trim() || 'tax';
  return { country, tax };
}

function countryName(code: string): string {
  try {
    countries ??= new Intl.DisplayNames(['en-GB'], { type: 'region' });
    return countries.of(code) ?? code;
  } catch {
    return code;
  }
}

/** One line per tax the shop owes, largest first. */
export function taxesOwed(lines: TaxLine[]): TaxLine[] {
  const owed = new Map<string, TaxLine>();
  for (const line of lines) {
    const { country, tax } = parse(line.jurisdiction);
    const name = country ? `${countryName(country)}: ${tax}` : line.jurisdiction;
    const sum = owed.get(name) ?? { jurisdiction: name, collected: 0, refunded: 0, owed: 0 };
    sum.collected += line.collected;
    sum.refunded += line.refunded;
    sum.owed += line.owed;
    owed.set(name, sum);
  }
  return [...owed.values()].sort((a, b) => b.owed - a.owed || a.jurisdiction.localeCompare(b.jurisdiction));
}
