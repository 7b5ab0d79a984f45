// The period a Books page shows: ?from=&to= when they are real days in order, else this month so far
// (in the shop's time zone). One reading for every page, so a link from one page to another keeps it.
import { dayIn, isDate } from '../../platform/dates.ts';

/** The querystring schema's from/to properties (loose: a bad value falls back, it is not an error page). */
export const PERIOD_PROPERTIES = {
  from: { type: 'string', maxLength: 10 },
  to: { type: 'string', maxLength: 10 },
} as const;

export function pagePeriod(
  query: { from?: string; to?: string },
  timezone: string,
): { from: string; to: string; today: string } {
  const today = dayIn(new Date(), timezone);
  const from = query.from && isDate(query.from) ? query.from : `${today.slice(0, 8)}01`;
  const to = query.to && isDate(query.to) && query.to >= from ? query.to : today;
  return { from, to, today };
}
