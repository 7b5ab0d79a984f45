// The period a Books page shows: ?from=&to= when they are real days in order, else this month so far
// (in the shop's time zone). One reading for every page, so a link from one page to another keeps it.
import { Type } from 'typebox';
import { dayIn, isDate } from '../../../platform/dates.ts';

/** The querystring's from and to (loose: a bad value falls back, it is not an error page). */
export const periodFields = {
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
};

export function pagePeriod(
  query: { from?: string; to?: string },
  timezone: string,
  now: () => Date,
): { from: string; to: string; today: string } {
  const today = dayIn(now(), timezone);
  const monthSoFar = { from: `${today.slice(0, 8)}01`, to: today, today };
  // Days a shop's books can hold: the year 9999 would overflow the comparison period before it.
  const usable = (day: string | undefined): day is string =>
    day !== undefined && isDate(day) && day >= '1900-01-01' && day <= '2999-12-31';
  const from = usable(query.from) ? query.from : monthSoFar.from;
  const to = usable(query.to) ? query.to : today;
  return to >= from ? { from, to, today } : monthSoFar;
}
