// Money is integer minor units in the currency's own exponent (pence, cents, yen); decimals appear only
// at the edges (Shopify's "29.99" strings, what a person reads). Conversion works on the digits, never
// on floating point.
const exponents = new Map<string, number>();

/** Digits after the decimal point for an ISO 4217 code: 2 for GBP, 0 for JPY, 3 for BHD. */
export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits!;
    } catch {
      throw new Error(`"${currency}" is not an ISO 4217 currency code`);
    }
    exponents.set(currency, exponent);
  }
  return exponent;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "29.99" GBP → 2999. Digits beyond the currency's exponent are rounded half away from zero (Shopify
 * sometimes writes "29.990"; a real third digit would be a rate, not money).
 */
export function toMinor(amount: string | number, currency: string): number {
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`"${text}" is not a decimal amount of money`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  let minor = Number(whole) * 10 ** exponent + Number(kept || '0');
  const next = fraction.charAt(exponent);
  if (next !== '' && Number(next) >= 5) minor += 1;
  if (!Number.isSafeInteger(minor)) throw new Error(`"${text}" is too large an amount`);
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/** 2999 GBP → "29.99": the decimal string Shopify and accountants' tools read. */
export function toDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return exponent === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** 2999 GBP → "£29.99", for people. */
export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
  const exponent = currencyExponent(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
  }).format(Number(toDecimal(minor, currency)));
}

/**
 * An amount in one currency in another at a rate (a decimal string: units of `to` per unit of
 * `from`), rounded half away from zero once, in integers: 12345 EUR cents at "0.8571" → 10581 pence.
 */
export function convertMinor(minor: number, from: string, to: string, rate: string): number {
  const match = /^(\d{1,10})(?:\.(\d{1,12}))?$/.exec(rate);
  if (!match) throw new Error(`"${rate}" is not an exchange rate`);
  const fraction = match[2] ?? '';
  const scaledRate = BigInt(`${match[1]}${fraction}`);
  const shift = currencyExponent(to) - currencyExponent(from) - fraction.length;
  const product = BigInt(minor) * scaledRate;
  return shift >= 0
    ? safeMinor(product * 10n ** BigInt(shift), 'the converted amount')
    : divideMinor(product, 10n ** BigInt(-shift), 'the converted amount');
}

/**
 * numerator / denominator (positive) as minor units, rounded half away from zero once, in integers:
 * for amounts made from rates and unit costs that a double cannot hold exactly.
 */
export function divideMinor(numerator: bigint, denominator: bigint, what = 'the amount'): number {
  const sign = numerator < 0n ? -1n : 1n;
  return safeMinor((sign * (sign * numerator * 2n + denominator)) / (2n * denominator), what);
}

function safeMinor(value: bigint, what: string): number {
  const minor = Number(value);
  if (!Number.isSafeInteger(minor)) throw new Error(`${what} is too large`);
  return minor;
}
