// One checkout, start to finish: who buys, what is in the basket, the discount code, VAT for the
// destination, shipping, the currency they pay in, and how they pay. History generation and live
// orders (`placeOrder`) both come through here, so a live order looks exactly like an old one.
import { CAMPAIGNS_BY_MONTH, SOCIAL_SOURCES } from './catalog.ts';
import { DAY, MINUTE, SECOND, localParts, wholeSecond } from './clock.ts';
import { randomAddress, type Crowd } from './crowd.ts';
import { commitStock, fulfil, type Touched } from './lifecycle.ts';
import {
  later,
  net,
  orderTotals,
  type Customer,
  type Discount,
  type LineItem,
  type Order,
  type ShippingLine,
  type TaxRule,
  type Transaction,
  type Variant,
  type Visit,
} from './model.ts';
import {
  add,
  allocate,
  each,
  includedTax,
  pair,
  present,
  ZERO,
  type CurrencyCode,
  type Pair,
} from './money.ts';
import type { Random } from './random.ts';
import { canSell, shopFloor, warehouse } from './stock.ts';
import type { Store } from './store.ts';
import { declined, recordTransaction } from './transactions.ts';

const TAX: Record<string, TaxRule | null> = {
  GB: { title: 'GB VAT', rate: 0.2 },
  IE: { title: 'IE VAT', rate: 0.23 },
  DE: { title: 'DE VAT', rate: 0.19 },
  FR: { title: 'FR TVA', rate: 0.2 },
  US: null,
};

/** Pounds are worth a little more or less in euros and dollars from one week to the next. */
export function exchangeRate(currency: CurrencyCode, at: number): number {
  const week = at / (7 * DAY);
  if (currency === 'EUR') return Math.round((1.17 + 0.02 * Math.sin(week / 3)) * 1e4) / 1e4;
  if (currency === 'USD') return Math.round((1.27 + 0.03 * Math.cos(week / 4)) * 1e4) / 1e4;
  return 1;
}

function presentmentCurrency(rng: Random, countryCode: string): CurrencyCode {
  if (['IE', 'DE', 'FR'].includes(countryCode)) return rng.chance(0.85) ? 'EUR' : 'GBP';
  if (countryCode === 'US') return rng.chance(0.9) ? 'USD' : 'GBP';
  return 'GBP';
}

export interface CheckoutOptions {
  /** Live orders take stock and can only sell what is there; they collect the levels they touch. */
  touched: Touched | null;
  test?: boolean;
}

export interface Checkout {
  order: Order;
  /** The customer's account was created by this checkout. */
  newCustomer: boolean;
  /** An authorisation waiting to be captured (history only: captured a few hours later). */
  pendingCapture: Transaction | null;
}

export function checkout(
  store: Store,
  crowd: Crowd,
  rng: Random,
  at: number,
  options: CheckoutOptions,
): Checkout | null {
  const live = options.touched !== null;
  const pos = !options.test && rng.chance(0.05);
  let customer: Customer | null = null;
  if (!pos || rng.chance(0.4)) {
    customer = rng.chance(0.42)
      ? (crowd.newcomer(at, live) ?? crowd.regular())
      : (crowd.regular() ?? crowd.newcomer(at, live));
  }
  const newCustomer = customer !== null && customer.ordersCount === 0 && customer.createdAt === at;
  const wholesale = customer?.tags.includes('wholesale') ?? false;
  const location = pos ? shopFloor(store) : warehouse(store);
  const basket = chooseBasket(store, rng, at, wholesale, pos, live);
  if (basket.length === 0) return null;

  const countryCode = pos ? 'GB' : (customer?.address.countryCode ?? 'GB');
  const currency = presentmentCurrency(rng, countryCode);
  const rate = exchangeRate(currency, at);
  const taxRule = TAX[countryCode] ?? null;
  const discount = pos ? null : chooseDiscount(rng, customer, wholesale, at);

  const order: Order = {
    id: store.id('Order'),
    number: store.nextOrderNumber++,
    token: randomToken(rng),
    sourceName: pos ? 'pos' : 'web',
    location,
    customer,
    email: customer?.email ?? null,
    shippingAddress: pos ? null : (customer?.address ?? randomAddress(rng, 'Guest', 'Customer', countryCode)),
    billingAddress: customer?.address ?? null,
    currency,
    exchangeRate: rate,
    taxRule,
    duties: ZERO,
    discount,
    lines: [],
    shipping: [],
    transactions: [],
    refunds: [],
    disputes: [],
    fulfilment: null,
    firstVisit: null,
    lastVisit: null,
    tags: wholesale ? ['wholesale'] : [],
    note:
      !pos && rng.chance(0.03)
        ? rng.pick(['Please gift wrap', 'Leave with neighbour at 14', 'Birthday present!'])
        : null,
    test: options.test ?? false,
    cancelledAt: null,
    cancelReason: null,
    closedAt: null,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
  };
  order.lines = priceLines(store, order, basket);
  if (order.lines.some((line) => line.giftCard)) order.tags = [...order.tags, 'gift card'];
  if (!pos) order.shipping = chooseShipping(store, rng, order, countryCode, wholesale);
  // Every other parcel to the US goes duties paid: the customer pays 5 % of the goods at checkout.
  if (countryCode === 'US' && order.number % 2 === 0)
    order.duties = each(
      order.lines.reduce((sum, line) => add(sum, net(line)), ZERO),
      (minor) => Math.round(minor * 0.05),
    );
  if (!pos) [order.firstVisit, order.lastVisit] = journey(store, rng, order, at);

  const pendingCapture = pay(store, rng, order, live);
  if (options.touched) commitStock(order, at, options.touched);
  if (customer && !order.test) {
    customer.ordersCount += 1;
    customer.amountSpent += orderTotals(order).total.shop;
    customer.lastOrder = order;
    customer.updatedAt = live ? later(customer.updatedAt, at) : Math.max(customer.updatedAt, at);
  }
  store.addOrder(order);
  // Over the counter, and gift cards by email, are handed over there and then.
  if (pos || order.shipping.length === 0) fulfil(store, order, at, options.touched);
  store.changed();
  return { order, newCustomer, pendingCapture };
}

const randomToken = (rng: Random): string =>
  Array.from({ length: 4 }, () =>
    Math.floor(rng.next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

interface BasketEntry {
  variant: Variant;
  quantity: number;
}

interface Shelf {
  variants: Variant[];
  weights: number[];
  total: number;
  giftCards: Variant[];
}

const shelves = new WeakMap<Store, { version: number; byKey: Map<string, Shelf> }>();

/** What a checkout can pick from: launched, on sale, weighted by how well it sells to this buyer. */
function shelfFor(store: Store, at: number, wholesale: boolean, pos: boolean, live: boolean): Shelf {
  let cache = shelves.get(store);
  if (!cache || cache.version !== store.rangeVersion) {
    cache = { version: store.rangeVersion, byKey: new Map() };
    shelves.set(store, cache);
  }
  let launched = 0;
  for (const product of store.products) if (product.createdAt <= at) launched += 1;
  const key = `${launched}|${wholesale}|${pos}|${live}`;
  let shelf = cache.byKey.get(key);
  if (!shelf) {
    const sellable = store.variants.filter(
      (v) =>
        v.product.createdAt <= at &&
        v.product.deletedAt === null &&
        (v.product.status === 'ACTIVE' || (!live && v.product.status === 'ARCHIVED')),
    );
    const variants = sellable.filter((v) => !v.product.giftCard && (!pos || !v.salonSize));
    const weights = variants.map((v) =>
      wholesale ? (v.salonSize ? v.popularity * 12 : v.popularity * 0.4) : v.popularity,
    );
    shelf = {
      variants,
      weights,
      total: weights.reduce((a, b) => a + b, 0),
      giftCards: sellable.filter((v) => v.product.giftCard),
    };
    cache.byKey.set(key, shelf);
  }
  return shelf;
}

function chooseBasket(
  store: Store,
  rng: Random,
  at: number,
  wholesale: boolean,
  pos: boolean,
  live: boolean,
): BasketEntry[] {
  const from = pos ? shopFloor(store) : warehouse(store);
  const {
    variants: shelf,
    weights,
    total: totalWeight,
    giftCards,
  } = shelfFor(store, at, wholesale, pos, live);
  // Now and then someone only buys a gift card.
  if (!pos && !wholesale && giftCards.length > 0 && rng.chance(0.012)) {
    return [{ variant: rng.pick(giftCards), quantity: 1 }];
  }
  const lines = wholesale
    ? rng.int(2, 6)
    : rng.weighted([
        [1, 45],
        [2, 30],
        [3, 15],
        [4, 7],
        [5, 3],
      ] as const);
  const basket: BasketEntry[] = [];
  for (let attempt = 0; basket.length < lines && attempt < lines * 6 && shelf.length > 0; attempt += 1) {
    let roll = rng.next() * totalWeight;
    let index = 0;
    while (index < shelf.length - 1 && (roll -= weights[index]!) >= 0) index += 1;
    const variant = shelf[index]!;
    if (basket.some((entry) => entry.variant === variant)) continue;
    const quantity = wholesale
      ? rng.int(2, 12)
      : rng.weighted([
          [1, 80],
          [2, 15],
          [3, 5],
        ] as const);
    if (live && !canSell(variant, from, quantity)) continue;
    basket.push({ variant, quantity });
  }
  if (!pos && !wholesale && giftCards.length > 0 && rng.chance(0.02))
    basket.push({ variant: rng.pick(giftCards), quantity: 1 });
  return basket;
}

function chooseDiscount(
  rng: Random,
  customer: Customer | null,
  wholesale: boolean,
  at: number,
): Discount | null {
  if (wholesale) return { code: 'SALON15', kind: 'percentage', value: 15 };
  if (customer && customer.ordersCount === 0 && rng.chance(0.45))
    return { code: 'WELCOME10', kind: 'percentage', value: 10 };
  const { month } = localParts(at, 'Europe/London');
  if (month === 11 && rng.chance(0.3)) return { code: 'BLACKFRIDAY25', kind: 'percentage', value: 25 };
  if (month === 12 && rng.chance(0.15)) return { code: 'XMAS10', kind: 'percentage', value: 10 };
  if (rng.chance(0.04)) return { code: 'TAKE5', kind: 'fixed_amount', value: 500 };
  if (rng.chance(0.05)) return { code: 'NEWSLETTER10', kind: 'percentage', value: 10 };
  return null;
}

/** Prices, discount allocations and included VAT, each currency rounded on its own. */
function priceLines(store: Store, order: Order, basket: BasketEntry[]): LineItem[] {
  const lines: LineItem[] = basket.map(({ variant, quantity }) => ({
    id: store.id('LineItem'),
    order,
    variant,
    title: variant.product.title,
    variantTitle: variant.title === 'Default Title' ? null : variant.title,
    sku: variant.sku,
    vendor: variant.product.vendor,
    quantity,
    unit: present(variant.price, order.exchangeRate),
    discount: pair(0),
    tax: pair(0),
    giftCard: variant.product.giftCard,
    requiresShipping: !variant.product.giftCard,
    taxable: !variant.product.giftCard,
    grams: variant.grams,
    fulfilled: 0,
  }));
  const gross = (line: LineItem): Pair => each(line.unit, (unit) => unit * line.quantity);
  // Discount codes never apply to gift cards, and gift cards carry no VAT (it is due when spent).
  const discountable = lines.filter((line) => !line.giftCard);
  const discount = order.discount;
  if (discount?.kind === 'percentage') {
    for (const line of discountable)
      line.discount = each(gross(line), (g) => Math.round((g * discount.value) / 100));
  } else if (discount?.kind === 'fixed_amount') {
    const amount = present(discount.value, order.exchangeRate);
    const goods = discountable.map(gross);
    const shopParts = allocate(
      Math.min(amount.shop, sumOf(goods, 'shop')),
      goods.map((g) => g.shop),
    );
    const presentParts = allocate(
      Math.min(amount.presentment, sumOf(goods, 'presentment')),
      goods.map((g) => g.presentment),
    );
    discountable.forEach((line, i) => (line.discount = pair(shopParts[i]!, presentParts[i]!)));
  }
  const rule = order.taxRule;
  if (rule) {
    for (const line of discountable) {
      const g = gross(line);
      line.tax = pair(
        includedTax(g.shop - line.discount.shop, rule.rate),
        includedTax(g.presentment - line.discount.presentment, rule.rate),
      );
    }
  }
  return lines;
}

const sumOf = (amounts: Pair[], side: keyof Pair): number => amounts.reduce((sum, a) => sum + a[side], 0);

/** Royal Mail or DPD at home, free over a threshold; abroad costs more. */
function chooseShipping(
  store: Store,
  rng: Random,
  order: Order,
  countryCode: string,
  wholesale: boolean,
): ShippingLine[] {
  if (!order.lines.some((line) => line.requiresShipping)) return [];
  const goods = orderTotals(order).subtotal.shop;
  let title: string;
  let code: string;
  let price: number;
  if (wholesale)
    [title, code, price] =
      goods >= 15000 ? ['Free Salon Delivery', 'SALON-FREE', 0] : ['Salon Delivery', 'SALON', 750];
  else if (countryCode === 'GB')
    [title, code, price] =
      goods >= 4000
        ? ['Free UK Delivery', 'FREE-UK', 0]
        : rng.weighted([
            [['Royal Mail Tracked 48', 'RM-TRACKED-48', 349], 70],
            [['Royal Mail Tracked 24', 'RM-TRACKED-24', 449], 20],
            [['DPD Next Day', 'DPD-NEXT-DAY', 699], 10],
          ] as const);
  else if (countryCode === 'US')
    [title, code, price] =
      goods >= 10000
        ? ['Free International Delivery', 'FREE-INTL', 0]
        : ['International Express', 'INTL-EXPRESS', 1499];
  else
    [title, code, price] =
      goods >= 7500
        ? ['Free International Delivery', 'FREE-INTL', 0]
        : ['International Tracked', 'INTL-TRACKED', 999];
  const amount = present(price, order.exchangeRate);
  const rate = order.taxRule?.rate ?? 0;
  return [
    {
      id: store.id('ShippingLine'),
      order,
      title,
      code,
      price: amount,
      tax: order.taxRule ? each(amount, (a) => includedTax(a, rate)) : pair(0),
    },
  ];
}

/** How the customer found the shop: a post with UTM tags, a search, an email, or nothing known. */
function journey(store: Store, rng: Random, order: Order, at: number): [Visit | null, Visit | null] {
  // A live customer may come by a link one of the shop's posts carries (never in the history).
  const promoted = store.promoted();
  if (promoted.length && rng.chance(0.4)) {
    const utm = rng.pick(promoted);
    const query = `utm_source=${utm.source}&utm_medium=${utm.medium}&utm_campaign=${utm.campaign}&utm_content=${utm.content}`;
    const visit: Visit = {
      id: store.id('CustomerVisit'),
      occurredAt: wholeSecond(at - rng.between(2 * MINUTE, 50 * MINUTE)),
      landingPath: `/products/${order.lines[0]?.variant.product.handle ?? ''}?${query}`,
      referrer: null,
      source: utm.source,
      utm,
    };
    return [visit, visit];
  }
  if (rng.chance(0.3)) return [null, null];
  const product = order.lines[0]?.variant.product.handle ?? '';
  const firstAt = wholeSecond(at - rng.skewed(2 * MINUTE, 14 * DAY, 3));
  const { month } = localParts(firstAt, 'Europe/London');
  let first: Visit;
  if (rng.chance(0.6)) {
    const [source, medium, referrer] = rng.weighted(
      SOCIAL_SOURCES.map((s) => [[s[0], s[1], s[2]] as const, s[3]] as const),
    );
    const campaign = rng.pick(CAMPAIGNS_BY_MONTH[month] ?? ['always-on']);
    const content = `post-${rng.int(1000, 9999)}-${rng.pick(['a', 'b'])}`;
    const query = `utm_source=${source}&utm_medium=${medium}&utm_campaign=${campaign}&utm_content=${content}`;
    first = {
      id: store.id('CustomerVisit'),
      occurredAt: firstAt,
      landingPath: `/products/${product}?${query}`,
      referrer,
      source,
      utm: { source, medium, campaign, content, term: null },
    };
  } else {
    const organic = rng.chance(0.6);
    first = {
      id: store.id('CustomerVisit'),
      occurredAt: firstAt,
      landingPath: organic ? `/products/${product}` : '/',
      referrer: organic ? 'https://www.google.com/' : null,
      source: organic ? 'google' : 'direct',
      utm: null,
    };
  }
  if (at - firstAt < 30 * MINUTE || rng.chance(0.5)) return [first, first];
  const last: Visit = {
    id: store.id('CustomerVisit'),
    occurredAt: wholeSecond(at - rng.between(3 * MINUTE, 40 * MINUTE)),
    landingPath: '/cart',
    referrer: null,
    source: 'direct',
    utm: null,
  };
  return [first, last];
}

/** Gift card first when there is one, the rest by card or PayPal. Returns an authorisation to capture later. */
function pay(store: Store, rng: Random, order: Order, live: boolean): Transaction | null {
  const total = orderTotals(order).total;
  const at = order.createdAt;
  const take = (kind: 'SALE' | 'AUTHORIZATION', gateway: string, amount: Pair): Transaction => {
    const taken = recordTransaction(store, order, kind, gateway, amount, at);
    order.transactions.push(taken);
    return taken;
  };
  if (order.test) {
    take('SALE', 'bogus', total);
    return null;
  }
  let rest = total;
  if (order.sourceName === 'web' && order.currency === 'GBP' && rng.chance(0.03)) {
    const giftCard = pair(Math.min(rng.pick([1000, 2500, 5000]), total.shop));
    take('SALE', 'gift_card', giftCard);
    rest = { shop: total.shop - giftCard.shop, presentment: total.presentment - giftCard.presentment };
    if (rest.shop === 0) return null;
  }
  const gateway = order.sourceName === 'pos' || rng.chance(0.8) ? 'shopify_payments' : 'paypal';
  if (gateway === 'shopify_payments' && !live && rng.chance(0.01)) {
    const attempt = declined(recordTransaction(store, order, 'SALE', gateway, rest, at - 40 * SECOND));
    order.transactions.push(attempt);
  }
  // Some card payments are authorised at checkout and captured when the warehouse picks the order.
  if (gateway === 'shopify_payments' && !live && order.sourceName === 'web' && rng.chance(0.04)) {
    return take('AUTHORIZATION', gateway, rest);
  }
  take('SALE', gateway, rest);
  return null;
}
