// The hledger journal as text, written only through these functions: whatever a person or Shopify
// wrote (a supplier, an expense reference, an account's name, a tax title, an order name) reaches the
// journal as data and can never start a line, a directive, a posting, a comment or a tag of its own.
//
// The rules, from hledger's manual (1.25, the version in Debian; chapter "JOURNAL FORMAT"):
// - A line in column 0 is a transaction (a date), a directive ("include FILE" reads another file) or
//   a comment; an indented line is a posting or a comment. So no line break may reach the journal:
//   every line break, tab and other control character becomes a space (or U+FFFD), on every field.
// - "Description": the rest of the line after the date and status mark, "or until a comment begins"
//   (a ';'). "Code": a "(...)" right after the status mark is a transaction code, not description.
// - "Tags": a tag's value is "the text after the colon, up to the next comma or end of line", so a
//   comma in a value would end it and start another tag (a posting's "date:" tag moves it to another
//   day, which changes every report by period).
// - "Postings": an account name is "any text, optionally containing single spaces, until end of line
//   or a double space"; "(NAME)" and "[NAME]" are virtual postings; a leading "*" or "!" is a status.
// - "Account comments": ';' is allowed in account names; a comment follows two or more spaces.
// - "Commodity": a commodity that "contains non-letters ... must always be written inside double quotes".
// Characters that would change parsing are replaced by their fullwidth forms (；，（［＊！), so the
// text still reads as written and the replacement is visible to whoever reads the journal.
import { toDecimal } from '../money.ts';

export type JournalTags = readonly (readonly [name: string, value: string])[];

const LINE_BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;
// Control characters, and the bidirectional overrides that make a line show other than it parses.
const CONTROLS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Text on one line: line breaks and tabs as spaces, other control characters as U+FFFD. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(CONTROLS, '\ufffd');
}

/** A transaction's description: no comment, no code, one line. */
export function journalDescription(text: string): string {
  return oneLine(text).replace(/;/g, '；').trim().replace(/^\(/, '（');
}

/**
 * A tag's value: no comma (it would start another tag), one line, and no square brackets: hledger
 * reads a bracketed date anywhere in a posting's comment, a tag's value too, as that posting's date
 * ("[2019-01-01]" would move a sales-tax posting to 2019).
 */
export function journalTagValue(text: string): string {
  return oneLine(text).replace(/,/g, '，').replace(/\[/g, '［').replace(/\]/g, '］').trim();
}

// hledger's "space" is Haskell's isSpace: any Unicode space separator (a no-break space too), so two
// of any kind end an account name, and it reads a single one between words as a plain space.
const SPACES = /\p{Zs}+/gu;

/**
 * An account name as hledger reads it back: single plain spaces only, nothing at the start that
 * makes a virtual posting or a status. New codes are refused when they would change here
 * (accountCodeProblem); this keeps codes made before that rule readable.
 */
export function journalAccount(code: string): string {
  const name = oneLine(code)
    .replace(SPACES, ' ')
    .trim()
    .replace(/^[([*!]/, (char) => FULLWIDTH[char]!);
  return name || '\ufffd';
}

const FULLWIDTH: Record<string, string> = { '(': '（', '[': '［', '*': '＊', '!': '！' };

/** Why a new account code cannot be an hledger account name as it is, or null when it can. */
export function accountCodeProblem(code: string): string | null {
  if (code !== oneLine(code)) return 'an account code is one line, without tabs or control characters';
  if (/\p{Zs}{2}/u.test(code))
    return 'an account code may not have two spaces in a row (hledger reads them as the end of the name)';
  if (/[^\P{Zs} ]/u.test(code)) return 'the spaces in an account code are plain spaces';
  if (code !== code.trim()) return 'an account code may not start or end with a space';
  return journalAccount(code) === code ? null : 'an account code may not start with ( [ * or !';
}

/** A commodity symbol: bare when only letters, else in double quotes (which it may not contain). */
export function journalCommodity(currency: string): string {
  const symbol = oneLine(currency).replace(/"/g, '').trim();
  return /^\p{L}+$/u.test(symbol) ? symbol : `"${symbol}"`;
}

/** An amount in minor units with its commodity, e.g. "-12.50 GBP". */
export function journalAmount(minor: number, currency: string): string {
  return `${toDecimal(minor, currency)} ${journalCommodity(currency)}`;
}

/** A comment line of its own. */
export function journalComment(text: string): string {
  return `; ${oneLine(text)}\n`;
}

function tagsText(tags: JournalTags): string {
  if (!tags.length) return '';
  const written = tags.map(([name, value]) => {
    // Tag names are the exporter's own; one that is not a plain word is a bug here, not user text.
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`"${name}" is not a journal tag name`);
    return `${name}:${journalTagValue(value)}`;
  });
  return `  ; ${written.join(', ')}`;
}

function checkedDate(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`"${date}" is not a journal date (YYYY-MM-DD)`);
  return date;
}

/** A cleared transaction's first line: date, description, then its tags as a comment. */
export function journalTransaction(date: string, description: string, tags: JournalTags = []): string {
  return `${checkedDate(date)} * ${journalDescription(description)}${tagsText(tags)}\n`.replace(
    / +\n$/,
    '\n',
  );
}

/** A posting line of the transaction above it. */
export function journalPosting(
  account: string,
  minor: number,
  currency: string,
  tags: JournalTags = [],
): string {
  return `    ${journalAccount(account)}  ${journalAmount(minor, currency)}${tagsText(tags)}\n`;
}

/** An `account` directive (what `check --strict` requires of every account used). */
export function journalAccountDeclaration(code: string, tags: JournalTags = []): string {
  return `account ${journalAccount(code)}${tagsText(tags)}\n`;
}

/** A `commodity` directive showing how amounts of the currency are written. */
export function journalCommodityDeclaration(currency: string): string {
  return `commodity ${journalAmount(100000, currency)}\n`;
}
