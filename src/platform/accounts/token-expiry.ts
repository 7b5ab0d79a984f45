// When an API token stops working, from what the owner types: `90d` (ninety days from now) or a date
// `2027-03-31` (the token works through that day, in the shop's time zone).
import { addDays, isDate, startOfDayIn } from '../dates.ts';
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
