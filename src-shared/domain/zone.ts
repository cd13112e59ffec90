import type { CalendarDate } from './dates';

/**
 * The clinics are in Sweden: a date filter means Stockholm calendar days, while created_at is stored
 * as a UTC instant (ISO text). This gives the instant a Stockholm day starts, as the same ISO text,
 * so `created_at >= startOfDayIn(from)` is a plain range on the created_at index.
 */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone is ahead of UTC at `instant` (60 in Swedish winter, 120 in summer). */
function offsetMinutes(timeZone: string, instant: number): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', calendar: 'gregory', numberingSystem: 'latn' });
    offsetFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

export function startOfDayIn(date: CalendarDate, timeZone = 'Europe/Stockholm'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const localMidnightAsUtc = Date.UTC(y, m - 1, d);
  // Midnight is never inside a Swedish DST jump (they happen at 02:00/03:00), so the offset at the
  // first guess, re-checked once, is the offset at local midnight.
  let instant = localMidnightAsUtc - offsetMinutes(timeZone, localMidnightAsUtc) * 60_000;
  instant = localMidnightAsUtc - offsetMinutes(timeZone, instant) * 60_000;
  return new Date(instant).toISOString();
}
