// The shop's customers: mostly people in the UK, a few in Ireland, Germany, France and the US, and a
// handful of salons tagged `wholesale` that buy salon sizes by the case. A customer appears (gets
// created_at) at their first checkout; some already had accounts before the history began; some signed
// up for the newsletter and never ordered.
import { FIRST_NAMES, LAST_NAMES, PLACES, SALON_NAMES, STREETS } from './catalog.ts';
import type { Address, Customer } from './model.ts';
import type { Random } from './random.ts';
import type { Store } from './store.ts';

const COUNTRIES = [
  ['GB', 90],
  ['IE', 4],
  ['DE', 2],
  ['FR', 1],
  ['US', 3],
] as const;

const EMAIL_DOMAINS = ['example.com', 'example.co.uk', 'example.net', 'example.org'];

export function randomAddress(
  rng: Random,
  firstName: string,
  lastName: string,
  countryCode?: string,
): Address {
  const place = PLACES[countryCode ?? rng.weighted(COUNTRIES)] ?? PLACES.GB!;
  const [city, zip, province, provinceCode] = rng.pick(place.cities);
  return {
    firstName,
    lastName,
    company: null,
    address1: `${rng.int(1, 180)} ${rng.pick(STREETS)}`,
    city,
    zip,
    province,
    provinceCode,
    country: place.country,
    countryCode: place.countryCode,
    phone: null,
  };
}

/** A new customer, not yet "appeared": created_at is set when they first show up. */
export function makeCustomer(store: Store, rng: Random, serial: number, wholesale: boolean): Customer {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const address = randomAddress(rng, firstName, lastName, wholesale ? 'GB' : undefined);
  const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  let email = `${local}${serial}@${rng.pick(EMAIL_DOMAINS)}`;
  if (wholesale) {
    const salon = SALON_NAMES[serial % SALON_NAMES.length]!;
    address.company = `${salon} ${address.city}`;
    email = `bookings${serial}@${salon.toLowerCase().replace(/[^a-z]/g, '')}.example.co.uk`;
  }
  // Ofcom keeps 07700 900000–900999 for drama: realistic, and nobody's phone.
  const phone = rng.chance(wholesale ? 1 : 0.35)
    ? `+447700900${String(rng.int(0, 999)).padStart(3, '0')}`
    : null;
  address.phone = phone;
  return {
    id: store.id('Customer'),
    firstName,
    lastName,
    email,
    phone,
    tags: wholesale ? ['wholesale'] : rng.chance(0.05) ? ['vip'] : [],
    address,
    addressId: store.id('MailingAddress'),
    acceptsMarketing: rng.chance(0.55),
    note: wholesale ? 'Trade account: salon prices, invoice by email' : null,
    ordersCount: 0,
    amountSpent: 0,
    lastOrder: null,
    createdAt: Number.NaN,
    updatedAt: Number.NaN,
  };
}

/** Who is placing the next order: someone new, or someone who has bought before. */
export class Crowd {
  private readonly waiting: Customer[] = [];
  private readonly appeared: Customer[] = [];
  private readonly salons: Customer[] = [];
  private serial = 0;

  constructor(
    private readonly store: Store,
    private readonly rng: Random,
  ) {}

  /** The customer base before any order: `count` people, `existing` of whom already had accounts by `since`. */
  populate(count: number, existingShare: number, since: number): void {
    const salonEvery = 33;
    for (let i = 0; i < count; i += 1) {
      const customer = makeCustomer(this.store, this.rng, this.next(), i % salonEvery === 7);
      this.store.addCustomer(customer);
      this.waiting.push(customer);
    }
    const existing = Math.round(count * existingShare);
    // Accounts older than the history, oldest first so ids still rise with created_at.
    const stamps = Array.from(
      { length: existing },
      () => since - Math.round(this.rng.skewed(1, 700 * 86_400, 0.7)) * 1000,
    ).sort((a, b) => a - b);
    for (const at of stamps) this.appear(this.waiting.shift()!, at);
  }

  /** Somebody buying for the first time (a new account at checkout), or null when nobody is left. */
  newcomer(at: number, createWhenEmpty: boolean): Customer | null {
    let customer = this.waiting.shift();
    if (!customer && createWhenEmpty) {
      customer = makeCustomer(this.store, this.rng, this.next(), false);
      this.store.addCustomer(customer);
    }
    if (!customer) return null;
    this.appear(customer, at);
    return customer;
  }

  /** A returning customer; salons come back far more often than their numbers suggest. */
  regular(): Customer | null {
    if (this.salons.length > 0 && this.rng.chance(0.06)) return this.rng.pick(this.salons);
    return this.appeared.length > 0 ? this.rng.pick(this.appeared) : null;
  }

  /** Newsletter sign-ups who never ordered still have accounts, created some time in the history. */
  settle(from: number, to: number): void {
    for (const customer of this.waiting.splice(0)) {
      this.appear(customer, Math.round(this.rng.between(from, to) / 1000) * 1000);
    }
  }

  private appear(customer: Customer, at: number): void {
    customer.createdAt = at;
    customer.updatedAt = at;
    this.appeared.push(customer);
    if (customer.tags.includes('wholesale')) this.salons.push(customer);
  }

  private next(): number {
    this.serial += 1;
    return this.serial;
  }
}
