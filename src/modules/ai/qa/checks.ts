// The deterministic half of the QA gate: fast rules that need no model. Hard findings send a draft
// back whatever its score; soft ones cost points and are shown with the score.
import { toDecimal } from '../../../platform/money.ts';
import { CHANNELS, type Channel } from './channels.ts';
import { CLAIM_RULES } from './claims.ts';
import type { CatalogProduct } from '../../shop/index.ts';
import { EMOJI_LIMIT, type VoiceProfile } from './voice.ts';

export interface Finding {
  check: string;
  hard: boolean;
  message: string;
  penalty: number; // points taken off the score (soft findings)
}

export interface DraftUnderReview {
  channel: Channel;
  text: string;
  products: CatalogProduct[]; // the products the draft is about
  unknownProductIds: string[];
  recent: { text: string; at: Date }[]; // recent content on the channel, for near-duplicates
  voice: VoiceProfile;
  /** Amounts the draft may quote besides the products' prices (an email's order total). */
  knownAmounts?: { currency: string; minor: number }[];
}

const SYMBOL_CURRENCY: Record<string, string> = { '£': 'GBP', $: 'USD', '€': 'EUR' };
const PRICE =
  /([£$€])\s?(\d{1,6})(?:[.,](\d{2}))?(?!\d)|(?<![\d.,])(\d{1,6})(?:[.,](\d{2}))?\s?(GBP|USD|EUR|€)/g;
const URL_PATTERN = /https?:\/\/[^\s<>"')]+/g;
// A tag starts with a letter: "#1001" is an order number, not a hashtag.
const HASHTAG = /(^|\s)#[\p{L}_][\p{L}\p{N}_]*/gu;
const EMOJI = /\p{Extended_Pictographic}/gu;

export function runChecks(draft: DraftUnderReview): Finding[] {
  return [
    ...platformLimits(draft),
    ...claims(draft.text),
    ...catalogFacts(draft),
    ...links(draft),
    // Replies to different customers rightly say the same things; posts must not.
    ...(draft.channel === 'email' ? [] : nearDuplicates(draft)),
    ...language(draft),
    ...voice(draft),
  ];
}

function hard(check: string, message: string): Finding {
  return { check, hard: true, message, penalty: 0 };
}

function soft(check: string, message: string, penalty: number): Finding {
  return { check, hard: false, message, penalty };
}

function platformLimits({ channel, text }: DraftUnderReview): Finding[] {
  const limits = CHANNELS[channel];
  const findings: Finding[] = [];
  if (!text.trim()) return [hard('length', 'the draft is empty')];
  const length = [...text].length;
  if (length > limits.maxChars)
    findings.push(hard('length', `${length} characters; ${channel} allows ${limits.maxChars}`));
  const hashtags = text.match(HASHTAG)?.length ?? 0;
  if (hashtags > limits.maxHashtags)
    findings.push(hard('hashtags', `${hashtags} hashtags; ${channel} allows ${limits.maxHashtags}`));
  return findings;
}

function claims(text: string): Finding[] {
  return CLAIM_RULES.flatMap((rule) => {
    const match = text.match(rule.pattern);
    if (!match) return [];
    const message = `"${match[0]}": ${rule.why}`;
    return [rule.hard ? hard('claims', message) : soft('claims', message, 10)];
  });
}

function catalogFacts({
  channel,
  text,
  products,
  unknownProductIds,
  knownAmounts = [],
}: DraftUnderReview): Finding[] {
  const findings: Finding[] = unknownProductIds.map((id) =>
    hard('catalog', `product ${id} is not in the catalog`),
  );
  for (const product of products) {
    // A post must not sell what is gone; a reply may tell a customer so.
    if (!product.available && channel !== 'email')
      findings.push(hard('stock', `${product.title} is out of stock`));
    if (!text.toLowerCase().includes(product.title.toLowerCase())) {
      findings.push(soft('product-name', `does not name ${product.title} as the catalog does`, 8));
    }
  }
  for (const price of pricesIn(text)) {
    const matching = products.find((p) => p.currency === price.currency && p.priceMinor === price.minor);
    if (matching || knownAmounts.some((a) => a.currency === price.currency && a.minor === price.minor))
      continue;
    if (products.length === 0) {
      findings.push(soft('price', `mentions ${price.text} but no product was given to check it against`, 10));
    } else {
      const actual = products
        .map((p) => `${p.title} costs ${formatMoney(p.priceMinor, p.currency)}`)
        .join('; ');
      findings.push(hard('price', `mentions ${price.text}, but ${actual}`));
    }
  }
  return findings;
}

export function pricesIn(text: string): { text: string; currency: string; minor: number }[] {
  return [...text.matchAll(PRICE)].map((match) => {
    const [whole, symbol, units, cents, unitsAfter, centsAfter, code] = match;
    const currency = symbol ? SYMBOL_CURRENCY[symbol]! : (SYMBOL_CURRENCY[code!] ?? code!);
    const minor = Number(units ?? unitsAfter) * 100 + Number(cents ?? centsAfter ?? 0);
    return { text: whole.trim(), currency, minor };
  });
}

function formatMoney(minor: number, currency: string): string {
  const symbol = Object.entries(SYMBOL_CURRENCY).find(([, code]) => code === currency)?.[0];
  const amount = toDecimal(minor, currency);
  return symbol ? `${symbol}${amount}` : `${amount} ${currency}`;
}

function links({ text, channel }: DraftUnderReview): Finding[] {
  const findings: Finding[] = [];
  for (const raw of text.match(URL_PATTERN) ?? []) {
    let url: URL;
    try {
      url = new URL(raw.replace(/[.,!?]+$/, ''));
    } catch {
      findings.push(hard('links', `"${raw}" is not a valid link`));
      continue;
    }
    const missing = ['utm_source', 'utm_medium', 'utm_campaign'].filter(
      (name) => !url.searchParams.get(name),
    );
    if (missing.length)
      findings.push(hard('utm', `the link to ${url.host}${url.pathname} has no ${missing.join(', ')}`));
    if (!CHANNELS[channel].clickableLinks) {
      findings.push(soft('links', `links are not clickable on ${channel}; say "link in bio" instead`, 5));
    }
  }
  return findings;
}

function nearDuplicates({ text, recent }: DraftUnderReview): Finding[] {
  const mine = shingles(text);
  for (const earlier of recent) {
    const similarity = jaccard(mine, shingles(earlier.text));
    if (similarity >= 0.6) {
      return [
        hard(
          'duplicate',
          `${Math.round(similarity * 100)}% the same as content from ${earlier.at.toISOString().slice(0, 10)}`,
        ),
      ];
    }
  }
  return [];
}

export function shingles(text: string): Set<string> {
  const words =
    text
      .toLowerCase()
      .replace(/https?:\/\/\S+/g, ' ')
      .match(/[\p{L}\p{N}#']+/gu) ?? [];
  const set = new Set<string>();
  for (let i = 0; i + 2 < words.length; i += 1) set.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  if (words.length < 3 && words.length > 0) set.add(words.join(' '));
  return set;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  return shared / (a.size + b.size - shared);
}

const STOPWORDS: Record<string, string[]> = {
  en: [
    'the',
    'and',
    'you',
    'your',
    'with',
    'for',
    'this',
    'is',
    'are',
    'our',
    'to',
    'of',
    'it',
    'in',
    'on',
    'that',
  ],
  de: [
    'der',
    'die',
    'das',
    'und',
    'mit',
    'für',
    'ist',
    'sie',
    'ihr',
    'nicht',
    'ein',
    'eine',
    'zu',
    'auf',
    'dein',
  ],
  fr: [
    'le',
    'la',
    'les',
    'et',
    'vous',
    'votre',
    'avec',
    'pour',
    'est',
    'des',
    'une',
    'un',
    'du',
    'sur',
    'nos',
  ],
  es: ['el', 'la', 'los', 'las', 'y', 'con', 'para', 'tu', 'es', 'una', 'un', 'del', 'por', 'nuestro', 'que'],
  it: [
    'il',
    'lo',
    'gli',
    'e',
    'con',
    'per',
    'tuo',
    'tua',
    'una',
    'un',
    'del',
    'della',
    'che',
    'sono',
    'nostro',
  ],
  nl: [
    'de',
    'het',
    'een',
    'en',
    'met',
    'voor',
    'jouw',
    'je',
    'is',
    'van',
    'op',
    'onze',
    'dat',
    'niet',
    'zijn',
  ],
};

/** The language with clearly the most stopwords, or undefined when the text is too short to tell. */
export function detectLanguage(text: string): string | undefined {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const scores = Object.entries(STOPWORDS)
    .map(([language, list]) => [language, words.filter((word) => list.includes(word)).length] as const)
    .sort((a, b) => b[1] - a[1]);
  const [best, second] = scores;
  if (!best || best[1] < 3 || best[1] < (second?.[1] ?? 0) * 1.5) return undefined;
  return best[0];
}

function language({ text, voice: profile }: DraftUnderReview): Finding[] {
  const detected = detectLanguage(text);
  if (!detected || profile.languages.includes(detected)) return [];
  return [hard('language', `written in ${detected}; the shop writes in ${profile.languages.join(', ')}`)];
}

function voice({ text, voice: profile }: DraftUnderReview): Finding[] {
  const findings: Finding[] = [];
  const lower = text.toLowerCase();
  for (const word of profile.wordsToAvoid) {
    if (new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(lower)) {
      findings.push(soft('voice', `uses "${word}", which the brand voice avoids`, 8));
    }
  }
  const emojis = text.match(EMOJI)?.length ?? 0;
  const limit = EMOJI_LIMIT[profile.emojiPolicy];
  if (emojis > limit)
    findings.push(
      soft('emoji', `${emojis} emojis; the brand voice allows ${limit === 0 ? 'none' : `up to ${limit}`}`, 5),
    );
  return findings;
}
