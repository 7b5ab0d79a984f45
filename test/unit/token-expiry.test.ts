import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenExpiry } from '../../src/platform/accounts/token-expiry.ts';
import { startOfDayIn } from '../../src/platform/dates.ts';

const NOW = Date.parse('2026-11-26T09:00:00Z');
const iso = (ms: number | Date) => new Date(ms).toISOString();

test('a day begins at local midnight, on either side of UTC and on the days the clocks change', () => {
  assert.equal(iso(startOfDayIn('2027-01-02', 'Europe/London')), '2027-01-02T00:00:00.000Z');
  assert.equal(iso(startOfDayIn('2027-07-02', 'Europe/London')), '2027-07-01T23:00:00.000Z');
  assert.equal(
    iso(startOfDayIn('2027-03-29', 'Europe/London')),
    '2027-03-28T23:00:00.000Z',
    'day after spring forward',
  );
  assert.equal(
    iso(startOfDayIn('2027-11-01', 'Europe/London')),
    '2027-11-01T00:00:00.000Z',
    'day after fall back',
  );
  assert.equal(iso(startOfDayIn('2027-07-02', 'America/Los_Angeles')), '2027-07-02T07:00:00.000Z');
  assert.equal(iso(startOfDayIn('2027-07-02', 'Asia/Kolkata')), '2027-07-01T18:30:00.000Z');
});

test('an expiry is a number of days or the last day the token works', () => {
  assert.equal(iso(tokenExpiry('90d', NOW, 'Europe/London')), '2027-02-24T09:00:00.000Z');
  assert.equal(iso(tokenExpiry(' 1d ', NOW, 'UTC')), '2026-11-27T09:00:00.000Z');
  assert.equal(iso(tokenExpiry('2027-03-31', NOW, 'Europe/London')), '2027-03-31T23:00:00.000Z');
  assert.equal(iso(tokenExpiry('2026-11-26', NOW, 'UTC')), '2026-11-27T00:00:00.000Z', 'through today');
});

test('a bad expiry is refused with what is wrong', () => {
  for (const [value, reason] of [
    ['0d', /1 to 3650 days/],
    ['3651d', /1 to 3650 days/],
    ['2026-11-25', /in the past/],
    ['2027-02-30', /not "2027-02-30"/],
    ['next tuesday', /a number of days like 90d, or a date like 2027-03-31/],
    ['2040-01-01', /within 3650 days/],
  ] as const) {
    assert.throws(() => tokenExpiry(value, NOW, 'UTC'), reason, value);
  }
});
