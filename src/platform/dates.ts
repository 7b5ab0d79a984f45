// Calendar days: checked as real dates, and taken in the shop's time zone.

/** 2026-02-28 yes; 2026-02-31 no (JavaScript would quietly read it as 3 March). */
export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of an instant in a time zone (a formatter per zone, made once: they are slow to make). */
type WallClock = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;

function wallClockIn(instant: string | Date | number, timeZone: string): WallClock {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
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
  return Object.fromEntries(parts.map((part) => [part.type, part.value])) as WallClock;
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function dayIn(instant: string | Date, timeZone: string): string {
  const clock = wallClockIn(instant, timeZone);
  return `${clock.year}-${clock.month}-${clock.day}`;
}

/** The instant a calendar day begins in a time zone. */
export function startOfDayIn(day: string, timeZone: string): number {
  const wallClock = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at the guess, then again at the corrected instant (a change of offset that day).
  const guess = wallClock - offsetMs(wallClock, timeZone);
  return wallClock - offsetMs(guess, timeZone);
}

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(instant: number, timeZone: string): number {
  const clock = wallClockIn(instant, timeZone);
  const asUtc = Date.UTC(
    +clock.year,
    +clock.month - 1,
    +clock.day,
    +clock.hour,
    +clock.minute,
    +clock.second,
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The day after (or before, with -1) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The instant a wall-clock time ("09:00") happens on a day in a time zone, whatever the day's offset
 * (summer time or not). A time the clocks skip (01:30 on the spring change) is read an hour later.
 */
export function instantAt(day: string, time: string, timeZone: string): Date {
  const wallClock = Date.parse(`${day}T${time}:00Z`);
  const guess = wallClock - offsetMs(wallClock, timeZone);
  return new Date(wallClock - offsetMs(guess, timeZone));
}

/** The Monday of a day's ISO week. */
export function mondayOf(day: string): string {
  return addDays(day, 1 - isoWeekday(day));
}

/** 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them. */
export function isoWeekday(day: string): number {
  return ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** An instant as the wall clock in a time zone shows it: '2026-12-24T09:00' (a datetime-local value). */
export function localMinute(instant: Date, timeZone: string): string {
  const clock = wallClockIn(instant, timeZone);
  return `${clock.year}-${clock.month}-${clock.day}T${clock.hour}:${clock.minute}`;
}

/** The wall-clock hour (0-23) of an instant in a time zone. */
export function hourIn(instant: Date, timeZone: string): number {
  return Number(wallClockIn(instant, timeZone).hour);
}
