// The shop itself, its two locations (the warehouse that ships online orders and the shop floor in
// Harrogate that sells over the counter), the product range with costs, and stock levels: most
// healthy, some low, a couple at zero, as a real stock take looks.
import { DAY, wholeSecond } from './clock.ts';
import { RANGE } from './catalog.ts';
import type { InventoryItem, InventoryLevel, Location, Product, Variant } from './model.ts';
import type { Random } from './random.ts';
import type { Store } from './store.ts';

export function openShop(store: Store, domain: string, openedAt: number): void {
  store.shop = {
    id: store.id('Shop'),
    name: 'Sandbox Beauty',
    domain,
    email: 'hello@sandbox-beauty.example',
    ownerName: 'Sam Carter',
    currency: 'GBP',
    timeZone: 'Europe/London',
    taxesIncluded: true,
    address: {
      firstName: 'Sam',
      lastName: 'Carter',
      company: 'Sandbox Beauty Ltd',
      address1: '12 Parliament Street',
      city: 'Harrogate',
      zip: 'HG1 2RL',
      province: 'England',
      provinceCode: 'ENG',
      country: 'United Kingdom',
      countryCode: 'GB',
      phone: '+441423900123',
    },
    createdAt: openedAt,
    updatedAt: openedAt,
  };
  const place = (name: string, address1: string, city: string, zip: string, online: boolean): Location => ({
    id: store.id('Location'),
    name,
    address: { ...store.shop.address, address1, city, zip },
    isActive: true,
    fulfilsOnlineOrders: online,
    createdAt: openedAt,
    updatedAt: openedAt,
  });
  for (const location of [
    place('Warehouse', 'Unit 4, Thorp Arch Estate', 'Wetherby', 'LS23 7BJ', true),
    place('Harrogate Shop', '12 Parliament Street', 'Harrogate', 'HG1 2RL', false),
  ]) {
    store.locations.push(location);
    store.locationsById.set(location.id, location);
  }
}

export const warehouse = (store: Store): Location => store.locations[0]!;
export const shopFloor = (store: Store): Location => store.locations[1]!;

const handleOf = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The range, created before the history began except for the few launched during it. */
export function stockShelves(store: Store, rng: Random, historyStart: number, now: number): void {
  const launches = RANGE.filter((item) => item.newIn).length;
  let launch = 0;
  let zeroes = 0;
  for (const item of RANGE) {
    const createdAt = item.newIn
      ? wholeSecond(historyStart + ((now - historyStart) * (launch += 1)) / (launches + 1.5))
      : wholeSecond(historyStart - rng.between(30, 900) * DAY);
    const updatedAt = wholeSecond(rng.between(Math.max(createdAt, historyStart), now - DAY));
    const product: Product = {
      id: store.id('Product'),
      title: item.title,
      handle: handleOf(item.title),
      vendor: item.vendor,
      productType: item.productType,
      description: `<p>${item.title} from ${item.vendor}.</p>`,
      tags: item.tags,
      status: item.status ?? 'ACTIVE',
      optionName: item.option,
      giftCard: item.giftCard ?? false,
      imageId: null,
      imageUrl: null,
      variants: [],
      createdAt,
      updatedAt,
      publishedAt: item.status === 'DRAFT' ? null : createdAt,
      deletedAt: null,
    };
    if (item.status !== 'DRAFT') {
      product.imageId = store.id('MediaImage');
      product.imageUrl = `https://cdn.shopify.com/s/files/1/0612/3456/7890/files/${product.handle}.jpg?v=${createdAt / 1000}`;
    }
    item.variants.forEach((spec, index) => {
      const variant = {
        id: store.id('ProductVariant'),
        product,
        title: spec.title,
        sku: spec.sku,
        price: spec.price,
        compareAtPrice: spec.compareAt ?? null,
        grams: spec.grams,
        position: index + 1,
        popularity: (item.popularity * (index === 0 ? 1 : 0.6)) / (spec.salonSize ? 3 : 1),
        salonSize: spec.salonSize ?? false,
        createdAt,
        updatedAt,
      } as Variant;
      const cost = item.giftCard
        ? null
        : Math.round((spec.price / 1.2) * item.costShare * rng.between(0.92, 1.08));
      const inventoryItem: InventoryItem = {
        id: store.id('InventoryItem'),
        variant,
        tracked: !item.giftCard,
        unitCost: cost,
        levels: [],
        createdAt,
        updatedAt,
      };
      variant.inventoryItem = inventoryItem;
      if (!item.giftCard) {
        for (const location of store.locations) {
          const onFloor = location !== store.locations[0];
          let available = onFloor ? rng.int(0, 24) : rng.int(15, spec.salonSize ? 60 : 240);
          // A stock take always finds something running low and a line or two sold out.
          if (!onFloor && rng.chance(0.12)) available = rng.int(1, 5);
          if (!onFloor && zeroes < 2 && item.popularity >= 4 && index === 0 && rng.chance(0.2)) {
            available = 0;
            zeroes += 1;
          }
          const level: InventoryLevel = {
            id: store.id('InventoryLevel'),
            item: inventoryItem,
            location,
            available,
            committed: 0,
            createdAt,
            updatedAt: wholeSecond(rng.between(Math.max(createdAt, now - 20 * DAY), now - 60_000)),
          };
          inventoryItem.levels.push(level);
        }
      }
      product.variants.push(variant);
    });
    store.addProduct(product);
  }
  // Guarantee the sold-out lines whatever the seed did.
  for (const variant of store.variants) {
    if (zeroes >= 2) break;
    const level = variant.inventoryItem.levels[0];
    if (level && level.available > 0 && variant.popularity >= 3) {
      level.available = 0;
      zeroes += 1;
    }
  }
}

export const levelAt = (variant: Variant, location: Location): InventoryLevel | undefined =>
  variant.inventoryItem.levels.find((level) => level.location === location);

/** Whether an online order could take this many without overselling (untracked items always can). */
export function canSell(variant: Variant, location: Location, quantity: number): boolean {
  if (!variant.inventoryItem.tracked) return true;
  return (levelAt(variant, location)?.available ?? 0) >= quantity;
}

/** Total available across locations: the variant's `inventoryQuantity`. */
export const inventoryQuantity = (variant: Variant): number =>
  variant.inventoryItem.levels.reduce((sum, level) => sum + level.available, 0);
