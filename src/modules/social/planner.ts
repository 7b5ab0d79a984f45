// The content plan: each slot's times in the shop's time zone (09:00 stays 09:00 across the clock
// changes), and which product each post is about. The mix promotes new arrivals and overstock, holds
// back what is low or sold out, follows the season, speaks to salons where the slot is for them, and
// does not show the same product on a channel twice in three days. Pure: the same inputs plan the same.
import { addDays, instantAt, isoWeekday } from '../../platform/dates.ts';
import { hashUnit } from './hash.ts';
import type { CatalogProduct } from '../shop/index.ts';
import type { Platform, PostFormat } from './publishers/publisher.ts';

export interface Slot {
  id: string;
  channel: Platform;
  format: PostFormat;
  weekdays: number[];
  /** HH:MM in the shop's time zone. */
  localTime: string;
  audience: 'shoppers' | 'salons';
}

export interface SlotTime {
  slot: Slot;
  day: string;
  at: Date;
  /** One post per slot and time, however often the plan is made. */
  key: string;
}

export type Theme = 'new' | 'overstock' | 'seasonal' | 'salon' | 'product';

export interface Pick {
  product: CatalogProduct;
  theme: Theme;
}

/** Below this many units a product is not promoted (it would sell out on the post). */
export const LOW_STOCK = 5;
const NEW_FOR_DAYS = 30;
const REST_DAYS = 3;

/** Every slot's times from `fromDay` for `days` days, after `notBefore`, in time order. */
export function slotTimes(
  slots: Slot[],
  fromDay: string,
  days: number,
  timezone: string,
  notBefore: Date,
): SlotTime[] {
  const times: SlotTime[] = [];
  for (let i = 0; i < days; i += 1) {
    const day = addDays(fromDay, i);
    const weekday = isoWeekday(day);
    for (const slot of slots) {
      if (!slot.weekdays.includes(weekday)) continue;
      const at = instantAt(day, slot.localTime, timezone);
      if (at <= notBefore) continue;
      times.push({
        slot,
        day,
        at,
        key: `${slot.channel}|${slot.format}|${slot.audience}|${at.toISOString()}`,
      });
    }
  }
  return times.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The season's words, by month (1-12): products whose title or tags hold one suit the season. */
const SEASON: Record<number, string[]> = {
  1: ['repair', 'mask', 'hydrat', 'moistur', 'oil'],
  2: ['repair', 'mask', 'hydrat', 'gift', 'oil'],
  3: ['volume', 'shampoo', 'refresh'],
  4: ['volume', 'colour', 'color'],
  5: ['uv', 'protect', 'spray', 'colour'],
  6: ['uv', 'protect', 'spray', 'sea salt', 'curl'],
  7: ['uv', 'protect', 'spray', 'sea salt', 'curl'],
  8: ['uv', 'protect', 'repair', 'curl'],
  9: ['repair', 'strength', 'bond'],
  10: ['repair', 'mask', 'bond', 'oil'],
  11: ['gift', 'set', 'oil', 'mask'],
  12: ['gift', 'set', 'glitter', 'shine', 'mask'],
};

const SALON_WORDS = ['salon', 'professional', 'pro', 'wholesale', 'trade', 'litre', '1l', 'backbar'];

const words = (product: CatalogProduct) =>
  ` ${`${product.title} ${(product.tags ?? []).join(' ')}`.toLowerCase().replace(/[^a-z0-9]+/g, ' ')} `;
/** Whether a product's name or tags hold the word, whole ("pro" is not in "product") or as a start ("hydrat"). */
const has = (product: CatalogProduct, word: string, whole = false) =>
  words(product).includes(` ${word}${whole ? ' ' : ''}`);

/** Whether a product may be promoted at all: on sale, not a gift card, not low or sold out. */
export function promotable(product: CatalogProduct): boolean {
  if (!product.available) return false;
  if (/gift card/i.test(product.title) || (product.tags ?? []).some((tag) => /gift ?card/i.test(tag)))
    return false;
  return product.stock === undefined || product.stock === null || product.stock >= LOW_STOCK;
}

/** What a product is, for the mix: new, overstocked, in season, for salons, or just a product. */
export function themeOf(
  product: CatalogProduct,
  audience: Slot['audience'],
  day: string,
  overstockAbove: number,
): Theme {
  if (audience === 'salons') return 'salon';
  if (
    product.createdAt &&
    Date.parse(`${day}T00:00:00Z`) - Date.parse(product.createdAt) < NEW_FOR_DAYS * 86_400_000
  )
    return 'new';
  if (product.stock !== undefined && product.stock !== null && product.stock > overstockAbove)
    return 'overstock';
  const month = Number(day.slice(5, 7));
  if ((SEASON[month] ?? []).some((word) => has(product, word))) return 'seasonal';
  return 'product';
}

const WEIGHT: Record<Theme, number> = { new: 3, overstock: 3, seasonal: 2, salon: 2, product: 1 };

/**
 * Chooses a product for each slot time. `recent` is what each channel showed lately (product id →
 * when), so a plan made twice, or after posts went out, keeps its rests.
 */
export function pickProducts(
  times: SlotTime[],
  catalog: CatalogProduct[],
  recent: Map<string, Map<string, Date>>,
): Map<string, Pick> {
  const candidates = catalog.filter(promotable);
  const stocks = candidates.map((p) => p.stock ?? 0).sort((a, b) => a - b);
  const overstockAbove = Math.max(LOW_STOCK * 4, stocks[Math.floor(stocks.length * 0.75)] ?? Infinity);
  const picks = new Map<string, Pick>();
  for (const time of times) {
    if (!candidates.length) break;
    const lane = laneOf(time.slot.channel, time.slot.format);
    const shown = recent.get(lane) ?? new Map<string, Date>();
    recent.set(lane, shown);
    const restFor = time.slot.format === 'story' ? 1 : REST_DAYS;
    const pool =
      time.slot.audience === 'salons'
        ? candidates.filter((p) => SALON_WORDS.some((word) => has(p, word, true)))
        : candidates;
    const choices = pool.length ? pool : candidates;
    let best: { pick: Pick; score: number } | undefined;
    for (const product of choices) {
      const theme = themeOf(product, time.slot.audience, time.day, overstockAbove);
      const last = shown.get(product.id);
      const restedDays = last ? (time.at.getTime() - last.getTime()) / 86_400_000 : Infinity;
      const rested = restedDays >= restFor ? 1 : 0.05 * Math.max(0, restedDays);
      const score = WEIGHT[theme] * rested + hashUnit(`${time.key}|${product.id}`) * 0.9;
      if (!best || score > best.score) best = { pick: { product, theme }, score };
    }
    if (!best) continue;
    picks.set(time.key, best.pick);
    shown.set(best.pick.product.id, time.at);
  }
  return picks;
}

/** Rests are kept apart for stories and for posts: a story does not use up a product's feed turn. */
export function laneOf(channel: Platform, format: PostFormat): string {
  return `${channel}:${format === 'story' ? 'story' : 'post'}`;
}

/** The campaign a theme's posts carry in their links (utm_campaign). */
export function campaignOf(theme: string, day: string): string {
  const month = day.slice(0, 7);
  switch (theme) {
    case 'new':
      return `new-arrivals-${month}`;
    case 'overstock':
      return `overstock-${month}`;
    case 'seasonal':
      return `seasonal-${month}`;
    case 'salon':
      return `salon-trade-${month}`;
    default:
      return theme === 'product' ? 'always-on' : theme;
  }
}
