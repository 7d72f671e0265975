/**
 * Quiet hours (DESIGN.md §6): a daily window of wall-clock time in the user's
 * IANA time zone during which alerts are deferred to the window's end.
 *
 * Everything here is pure; the current instant is always a parameter.
 *
 * How a window becomes real instants: every local date d has one occurrence,
 * from `start` on d to `end` on d (or on d + 1 when the window crosses
 * midnight). Both ends go through `zonedTimeToInstant`, so a wall time in a
 * DST gap means the first instant after the gap and a wall time that happens
 * twice means its first occurrence. `now` is quiet when it lies in
 * [start instant, end instant) of an occurrence. Comparing instants instead of
 * clock readings matters only on DST nights: on a fall-back night the clock
 * reads 02:10 twice, and a 01:00–02:30 window that ended at the first 02:30
 * must not start again when the clock shows 02:10 for the second time, while
 * a 02:15–05:00 window that began at the first 02:15 stays quiet through the
 * repeated hour.
 */

/** A user's quiet-hours preference, as stored in `alert_preferences`. */
export interface QuietHours {
  enabled: boolean;
  /** Start of the window, inclusive: "HH:MM" or "HH:MM:SS" (PostgreSQL TIME text). */
  start: string;
  /** End of the window, exclusive, same format. Before `start` means the window crosses midnight. */
  end: string;
  /** IANA zone name such as "Europe/Berlin". Unknown names are read as UTC. */
  timeZone: string;
}

/** A wall-clock reading: month 1–12, hour 0–23, weekday 0 = Sunday … 6 = Saturday. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** A local date and time; `second` defaults to 0. Out-of-range fields roll over like `Date.UTC`. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const SECOND = 1000;
const DAY = 86_400 * SECOND;

/**
 * If `now` falls inside the user's quiet window, the instant the window ends;
 * otherwise undefined. Disabled quiet hours and an empty window (start equal
 * to end) are never quiet.
 */
export function quietHoursEnd(q: QuietHours, now: Date): Date | undefined {
  if (!q.enabled) return undefined;
  const start = parseTimeOfDay(q.start, "start");
  const end = parseTimeOfDay(q.end, "end");
  // start == end is the empty window [start, start), never quiet, not a
  // 24-hour one: a full-day window would end exactly where the next begins, so
  // deferred alerts would be deferred again and again and never sent, which
  // DESIGN.md §6 forbids ("deferred, not dropped").
  if (start === end) return undefined;
  const zone = resolveZone(q.timeZone);
  const t = now.getTime();
  const today = readParts(zone.format, t);
  // Usually only the occurrence starting today or yesterday can contain
  // `now`; tomorrow's is checked too because a backward jump across midnight
  // can make the clock show an earlier date than an occurrence already begun
  // (America/Goose_Bay fell back from 00:01 to 23:01 the evening before).
  for (const shift of [-1, 0, 1]) {
    const date = addDays(today, shift);
    const from = atTimeOfDay(date, start, zone.format);
    const until = atTimeOfDay(start < end ? date : addDays(date, 1), end, zone.format);
    if (from <= t && t < until) return new Date(until);
  }
  return undefined;
}

/**
 * The wall clock in `timeZone` at `instant` (to the whole second). An unknown
 * zone is read as UTC rather than throwing: names are checked when saved
 * (api/fields.ts), but a stored name could still be unknown to this runtime's
 * time-zone data, and an alert must not be lost over it.
 */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  return readParts(resolveZone(timeZone).format, instant.getTime());
}

/**
 * The instant when the wall clock in `timeZone` reads the given local date
 * and time. In a DST gap (the time does not exist) the first instant after
 * the gap; in a DST overlap (the time happens twice) the earlier one. An
 * unknown zone is read as UTC, as in `zonedParts`.
 */
export function zonedTimeToInstant(local: LocalDateTime, timeZone: string): Date {
  return new Date(instantOf(local, resolveZone(timeZone).format));
}

/**
 * A one-line preview for the settings page, e.g.
 * "22:00–08:00 Europe/Berlin, now 14:05 — alerts are on" or
 * "22:00–08:00 Europe/Berlin, now 23:10 — quiet until 08:00 tomorrow".
 */
export function describeQuietHours(q: QuietHours, now: Date): string {
  const zone = resolveZone(q.timeZone);
  const zoneLabel = zone.known ? q.timeZone : `UTC ("${q.timeZone}" is not a known time zone)`;
  const current = readParts(zone.format, now.getTime());
  const clock = `${pad(current.hour)}:${pad(current.minute)}`;
  if (!q.enabled) return `Quiet hours off (${zoneLabel}, now ${clock}) — alerts are on`;

  const start = parseTimeOfDay(q.start, "start");
  const end = parseTimeOfDay(q.end, "end");
  const window = `${formatTimeOfDay(start)}–${formatTimeOfDay(end)} ${zoneLabel}`;
  if (start === end) return `${window} (empty window, never quiet), now ${clock} — alerts are on`;

  const until = quietHoursEnd(q, now);
  if (until === undefined) return `${window}, now ${clock} — alerts are on`;
  const ends = readParts(zone.format, until.getTime());
  const endClock = formatTimeOfDay(ends.hour * 3600 + ends.minute * 60 + ends.second);
  const sameDay =
    ends.year === current.year && ends.month === current.month && ends.day === current.day;
  return `${window}, now ${clock} — quiet until ${endClock}${sameDay ? "" : " tomorrow"}`;
}

// ---------------------------------------------------------------------------

interface Zone {
  format: Intl.DateTimeFormat;
  /** False when the name was unknown and UTC is used instead. */
  known: boolean;
}

// Building a DateTimeFormat costs far more than using one. Only valid names are
// cached, so arbitrary invalid input cannot grow the map.
const zones = new Map<string, Zone>();

function resolveZone(timeZone: string): Zone {
  const cached = zones.get(timeZone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      // h23, not hour12: false, which some engines render as "24" at midnight.
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (error) {
    if (!(error instanceof RangeError) || timeZone === "UTC") throw error;
    return { format: resolveZone("UTC").format, known: false };
  }
  const zone = { format, known: true };
  zones.set(timeZone, zone);
  return zone;
}

function readParts(format: Intl.DateTimeFormat, epochMs: number): ZonedParts {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of format.formatToParts(epochMs)) {
    switch (part.type) {
      case "year":
        year = Number(part.value);
        break;
      case "month":
        month = Number(part.value);
        break;
      case "day":
        day = Number(part.value);
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        minute = Number(part.value);
        break;
      case "second":
        second = Number(part.value);
        break;
      case "era":
        bc = part.value === "BC";
        break;
    }
  }
  // Without the era, 1 BC and AD 1 would both read as year 1.
  if (bc) year = 1 - year;
  const weekday = new Date(wallMs(year, month, day, 0, 0, 0)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday };
}

/** A wall-clock reading as milliseconds, as if the zone were UTC. */
function wallMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  // setUTCFullYear, not Date.UTC, which maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** How far the zone's clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(format: Intl.DateTimeFormat, epochMs: number): number {
  // The formatter drops milliseconds, so compare against the whole second.
  const floored = Math.floor(epochMs / SECOND) * SECOND;
  const p = readParts(format, floored);
  return wallMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - floored;
}

function instantOf(local: LocalDateTime, format: Intl.DateTimeFormat): number {
  const wall = wallMs(
    local.year,
    local.month,
    local.day,
    local.hour,
    local.minute,
    local.second ?? 0,
  );
  // The offsets a day either side bracket any single transition near `wall`
  // (real offsets stay within ±14 h); this is how Temporal resolves times too.
  const before = offsetAt(format, wall - DAY);
  const after = offsetAt(format, wall + DAY);
  const exact = [wall - before, wall - after].filter((t) => offsetAt(format, t) === wall - t);
  if (exact.length > 0) return Math.min(...exact);

  // A gap: the clock jumped from before `wall` to after it. Find, to the
  // second, the first instant whose clock reads later than `wall`: the moment
  // of the jump. Transitions fall on whole seconds.
  let early = wall - Math.max(before, after);
  let late = wall - Math.min(before, after);
  while (late - early > SECOND) {
    const mid = early + Math.floor((late - early) / (2 * SECOND)) * SECOND;
    if (mid + offsetAt(format, mid) > wall) late = mid;
    else early = mid;
  }
  return late;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(wallMs(date.year, date.month, date.day + days, 0, 0, 0));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function atTimeOfDay(date: LocalDate, secondsOfDay: number, format: Intl.DateTimeFormat): number {
  return instantOf(
    {
      ...date,
      hour: Math.floor(secondsOfDay / 3600),
      minute: Math.floor((secondsOfDay % 3600) / 60),
      second: secondsOfDay % 60,
    },
    format,
  );
}

/**
 * Seconds since midnight. Accepts what PostgreSQL prints for TIME: "HH:MM",
 * "HH:MM:SS", fractional seconds (dropped) and "24:00:00" (the end of the day).
 * Anything else is a programming error, not user input (the API validates
 * times), so it throws instead of guessing.
 */
function parseTimeOfDay(value: string, field: "start" | "end"): number {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  const seconds = Number(match?.[3] ?? 0);
  const total = hours * 3600 + minutes * 60 + seconds;
  if (!match || hours > 24 || minutes > 59 || seconds > 59 || total > DAY / SECOND) {
    throw new RangeError(
      `Quiet hours ${field} "${value}" is not a time of day; expected "HH:MM" or "HH:MM:SS" (24-hour), e.g. "22:00"`,
    );
  }
  return total;
}

function formatTimeOfDay(secondsOfDay: number): string {
  const hm = `${pad(Math.floor(secondsOfDay / 3600))}:${pad(Math.floor((secondsOfDay % 3600) / 60))}`;
  const seconds = secondsOfDay % 60;
  return seconds === 0 ? hm : `${hm}:${pad(seconds)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
