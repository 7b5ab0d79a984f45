// What the books' API routes ask for in common: days, periods, account codes and ids, and the check
// that a period is made of real days, in order, at most ten years long.
import { Type } from 'typebox';
import { addDays, isDate } from '../../../platform/dates.ts';
import { invalid } from '../../../platform/errors.ts';

const CODE = '^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Za-z0-9][A-Za-z0-9 &/-]*)+$';

export const tags = ['ledger'];

/** A day as YYYY-MM-DD (whether it is a real day is checked by the route, with a clear message). */
export const Day = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });

export const AccountCode = (description?: string) =>
  Type.String({ pattern: CODE, maxLength: 200, ...(description ? { description } : {}) });

/** A record's id in the path: digits, as the database numbers them. */
export { IdParams } from '../../../platform/http/schemas.ts';

export const periodFields = {
  from: Day('YYYY-MM-DD, inclusive'),
  to: Day('YYYY-MM-DD, inclusive'),
};

export const PeriodQuery = Type.Object(periodFields, { additionalProperties: false });

/** A decimal amount as people write it, e.g. 12.50. */
export const Amount = Type.String({
  pattern: '^[0-9]{1,10}(\\.[0-9]{1,3})?$',
  description: 'a decimal amount, e.g. 12.50',
});

/** A day given as `at` is a real day. */
export function checkDay(at: string): void {
  if (!isDate(at)) throw invalid(`at "${at}" is not a date (YYYY-MM-DD)`);
}

/** Real dates, in order, not more than ten years apart. */
export function checkPeriod(from: string, to: string): void {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!isDate(value)) throw invalid(`${name} "${value}" is not a date (YYYY-MM-DD)`);
  if (from > to) throw invalid(`from (${from}) is after to (${to})`);
  if (addDays(from, 3660) < to) throw invalid('a period can be at most ten years long');
}
