import { addDays, formatCalendarDate, isExistingDate, utcMidnightMs } from './calendar-date';

export { addDays, isValidCalendarDate } from './calendar-date';

const MS_PER_HOUR = 3_600_000;

// One formatter, reused: construction is the expensive part of Intl.
const wallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Stockholm',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface WallClockTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function stockholmWallClock(instant: Date): WallClockTime {
  const time = instant.getTime();
  const utcYear = instant.getUTCFullYear();
  // Intl writes years before 1 CE as era years, which would read as a wrong date.
  if (Number.isNaN(time) || utcYear < 1 || utcYear > 9999) {
    throw new RangeError('Expected a valid instant in years 0001..9999.');
  }
  const parts: Record<string, number> = {};
  for (const part of wallClock.formatToParts(time)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = parts as unknown as WallClockTime;
  if (!isExistingDate(wall.year, wall.month, wall.day)) {
    throw new RangeError('The instant is outside years 0001..9999.');
  }
  return wall;
}

/** Stockholm's offset from UTC at an instant, in ms (positive east of Greenwich), from Intl. */
function offsetFromIntl(instantMs: number): number {
  const wall = stockholmWallClock(new Date(instantMs));
  const wallAsUtc = utcMidnightMs(wall) + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000;
  // Intl drops milliseconds, so compare against the instant's whole second.
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

// Since 1970 Stockholm's offset changes only on whole UTC hours (summer time, since 1980 at
// 01:00 UTC), so one Intl call per UTC hour serves every instant in it: reads ask for today's
// date and grants' ends on every call, and Intl costs microseconds each time.
const CACHED_FROM_MS = 0;
// Far enough inside year 9999 that the local date stays in it.
const MAX_INSTANT_MS = Date.UTC(9999, 11, 31) - 14 * MS_PER_HOUR;
const MAX_CACHED_HOURS = 1024;
const offsetByUtcHour = new Map<number, number>();

function stockholmOffsetMs(instantMs: number): number {
  if (!(instantMs >= CACHED_FROM_MS) || instantMs > MAX_INSTANT_MS) return offsetFromIntl(instantMs);
  const hour = Math.floor(instantMs / MS_PER_HOUR);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    offset = offsetFromIntl(hour * MS_PER_HOUR);
    if (offsetByUtcHour.size >= MAX_CACHED_HOURS) offsetByUtcHour.clear();
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

/** The local calendar date ('YYYY-MM-DD') in Stockholm at the instant. */
export function stockholmDate(instant: Date): string {
  const ms = instant.getTime();
  if (!(ms >= CACHED_FROM_MS && ms <= MAX_INSTANT_MS)) return formatCalendarDate(stockholmWallClock(instant));
  const local = new Date(ms + stockholmOffsetMs(ms));
  return formatCalendarDate({ year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() });
}

/** The first instant of the date in Stockholm. */
export function startOfStockholmDay(date: string): Date {
  const midnightAsUtc = utcMidnightMs(date);
  // Local midnight lies within ±14 h of UTC midnight, so the offsets in force on either side
  // of it are the only candidates; the earliest candidate on the wanted date is the day's start
  // (this also holds for a midnight skipped or repeated by a clock change).
  const candidates = [-14, 14].map((hours) => midnightAsUtc - stockholmOffsetMs(midnightAsUtc + hours * MS_PER_HOUR)).filter((instant) => stockholmDate(new Date(instant)) === date);
  if (candidates.length === 0) throw new RangeError('No start of day found.');
  return new Date(Math.min(...candidates));
}

/** When a grant "until D" stops: it is valid through all of D in Stockholm, so at the next local midnight. */
export function grantEndsAt(until: string): Date {
  return startOfStockholmDay(addDays(until, 1));
}
