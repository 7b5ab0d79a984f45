// When an API token stops working, from what the owner types: `90d` (ninety days from now) or a date
// `2027-03-31` (the token works through that day, in the shop's time zone).
import { addDays, isDate } from '../dates.ts';
import { invalid } from '../errors.ts';

const MAX_DAYS = 3650;
const HINT = 'expires must be a number of days like 90d, or a date like 2027-03-31';

export function tokenExpiry(text: string, nowMs: number, timeZone: string): Date {
  const value = text.trim();
  const days = /^(\d{1,5})d$/.exec(value);
  if (days) {
    const count = Number(days[1]);
    if (count < 1 || count > MAX_DAYS) throw invalid(`expires must be 1 to ${MAX_DAYS} days, like 90d`);
    return new Date(nowMs + count * 86_400_000);
  }
  if (!isDate(value)) throw invalid(`${HINT}, not "${value.slice(0, 40)}"`);
  const end = startOfDayIn(addDays(value, 1), timeZone);
  if (end <= nowMs) throw invalid(`expires ${value} is in the past`);
  if (end > nowMs + (MAX_DAYS + 1) * 86_400_000) throw invalid(`expires must be within ${MAX_DAYS} days`);
  return new Date(end);
}

/** The instant a calendar day begins in a time zone. */
export function startOfDayIn(day: string, timeZone: string): number {
  const wallClock = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at the guess, then again at the corrected instant (a change of offset that day).
  const guess = wallClock - offsetMs(wallClock, timeZone);
  return wallClock - offsetMs(guess, timeZone);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(instant: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}
