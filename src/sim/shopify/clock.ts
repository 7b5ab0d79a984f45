// Time as Shopify writes it. Instants are kept as whole-second epoch milliseconds. GraphQL writes
// them in UTC ("2025-03-01T10:15:00Z"); REST bodies and webhooks write them in the shop's time zone
// with its offset ("2025-07-01T11:15:00+01:00"): the same instant, which a client must compare as
// instants, never as strings.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const wholeSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND;

export function isoUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** "2025-03-01" in UTC, for Shopify's `Date` scalar. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const zones = new Map<string, { format: Intl.DateTimeFormat; byHour: Map<number, number> }>();

/** Minutes east of UTC in a time zone at an instant (cached by the hour: zones change on the hour). */
export function offsetMinutes(ms: number, timeZone: string): number {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = {
      format: new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' }),
      byHour: new Map(),
    };
    zones.set(timeZone, zone);
  }
  const hour = Math.floor(ms / HOUR);
  let minutes = zone.byHour.get(hour);
  if (minutes === undefined) {
    const name = zone.format
      .formatToParts(new Date(hour * HOUR))
      .find((part) => part.type === 'timeZoneName')?.value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
    minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
    if (zone.byHour.size > 100_000) zone.byHour.clear();
    zone.byHour.set(hour, minutes);
  }
  return minutes;
}

export function isoLocal(ms: number, timeZone: string): string {
  const offset = offsetMinutes(ms, timeZone);
  const local = new Date(ms + offset * MINUTE).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

/** Midnight at the start of a local calendar day ("2025-03-01" in Europe/London), as an instant. */
export function localMidnight(date: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  return utcMidnight - offsetMinutes(utcMidnight, timeZone) * MINUTE;
}

/** Hour of day and weekday in the shop's zone: people shop in the evening, local time. */
export function localParts(ms: number, timeZone: string): { hour: number; weekday: number; month: number } {
  const local = new Date(ms + offsetMinutes(ms, timeZone) * MINUTE);
  return { hour: local.getUTCHours(), weekday: local.getUTCDay(), month: local.getUTCMonth() + 1 };
}
