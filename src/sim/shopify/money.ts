// Money inside the simulator is whole pence and cents, never floats: every total is a sum of stored
// parts, so line items, shipping, tax and discounts add up to the order total to the penny in the
// shop's currency and, separately, in the currency the customer paid in. The simulated shop only
// deals in two-decimal currencies (GBP, EUR, USD).

export type CurrencyCode = 'GBP' | 'EUR' | 'USD';

/** One amount in the shop's currency and in the customer's (presentment) currency. */
export interface Pair {
  readonly shop: number;
  readonly presentment: number;
}

export const ZERO: Pair = { shop: 0, presentment: 0 };

export const pair = (shop: number, presentment: number = shop): Pair => ({ shop, presentment });

export function add(...amounts: Pair[]): Pair {
  let shop = 0;
  let presentment = 0;
  for (const amount of amounts) {
    shop += amount.shop;
    presentment += amount.presentment;
  }
  return { shop, presentment };
}

export const subtract = (a: Pair, b: Pair): Pair => ({
  shop: a.shop - b.shop,
  presentment: a.presentment - b.presentment,
});

export const negate = (a: Pair): Pair => ({ shop: -a.shop, presentment: -a.presentment });

export const isZero = (a: Pair): boolean => a.shop === 0 && a.presentment === 0;

/** The same price in the customer's currency, at the order's exchange rate. */
export function present(shopMinor: number, rate: number): Pair {
  return { shop: shopMinor, presentment: rate === 1 ? shopMinor : Math.round(shopMinor * rate) };
}

/** Applies a calculation to each currency on its own, so each side is rounded in its own pennies. */
export function each(amount: Pair, calculate: (minor: number) => number): Pair {
  return { shop: calculate(amount.shop), presentment: calculate(amount.presentment) };
}

/** The VAT inside a tax-inclusive price. */
export const includedTax = (gross: number, rate: number): number => Math.round((gross * rate) / (1 + rate));

/**
 * Splits a total across weights to the penny (largest remainder), so the parts always sum back to
 * the total: a £5 discount over three lines, a refund over two gateways.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left -= 1) {
    const index = order[k]![1];
    parts[index] = parts[index]! + 1;
  }
  return parts;
}

/** "29.99", "-4.50", "30.00": REST bodies and the `Money` scalar always show two decimals. */
export function fixed(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * "29.99", "30.0", "4.5": the GraphQL `Decimal` scalar is a BigDecimal written without trailing zeros
 * but with at least one decimal, which is what a client that compares strings trips over.
 */
export function decimal(minor: number): string {
  const text = fixed(minor);
  return text.endsWith('0') ? text.slice(0, -1) : text;
}
