// datetime-local inputs carry no zone: they are read in the viewer's time zone (an /account
// setting) and turned into an instant with @date-fns/tz, never by hand. They are read as strictly
// as the API reads ISO-8601 (docs/SECURITY.md "Dates and times typed into forms"): a date or time
// that is not on the calendar, or a local time the clocks skip, is refused with a message instead
// of rolling over; a local time that happens twice (clocks going back) means its earlier instant.
import { TZDate, tzScan } from "@date-fns/tz";
import { addDays, format, subDays, subMinutes } from "date-fns";
import { fieldError } from "../errors";

const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export type LocalDateTimeReading = { valid: true; iso: string | null } | { valid: false; message: string };

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function buildDate(wall: WallTime, timeZone: string): TZDate {
  return new TZDate(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, timeZone);
}

/** Whether `date`, read in its own zone, shows exactly these wall-clock fields (no rollover, no shift). */
function showsWallTime(date: TZDate, wall: WallTime): boolean {
  return (
    date.getFullYear() === wall.year &&
    date.getMonth() + 1 === wall.month &&
    date.getDate() === wall.day &&
    date.getHours() === wall.hour &&
    date.getMinutes() === wall.minute &&
    date.getSeconds() === wall.second
  );
}

function describeOffCalendar(wall: WallTime, text: string): string {
  if (wall.month < 1 || wall.month > 12) return `There is no month ${wall.month} in ${text}; months run from 01 to 12.`;
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59)
    return `There is no time of day like ${text.slice(11)}; use 00:00 to 23:59.`;
  if (wall.day < 1) return `There is no day ${wall.day} in ${text}.`;
  const monthName = format(new TZDate(wall.year, wall.month - 1, 1, "UTC"), "MMMM");
  return `There is no ${wall.day} ${monthName} ${wall.year}.`;
}

/** The clock changes of `timeZone` within a day either side of `date`. */
function clockChangesAround(date: Date, timeZone: string) {
  const start = subDays(date, 1);
  const end = addDays(date, 1);
  return tzScan(timeZone, { start, end }).filter((change) => change.date >= start && change.date <= end);
}

function describeGap(wall: WallTime, text: string, timeZone: string, date: TZDate): string {
  const jump = clockChangesAround(date, timeZone).find((change) => change.change > 0)?.change;
  const day = format(new TZDate(wall.year, wall.month - 1, wall.day, "UTC"), "d MMMM yyyy");
  const size = jump === undefined ? "" : ` ${jump} minutes`;
  return `There is no ${text.slice(11, 16)} on ${day} in ${timeZone}: the clocks go forward${size} there that night (daylight saving time) and skip it. Choose a time before or after the gap.`;
}

/**
 * When the clocks go back, the same wall time happens twice; @date-fns/tz picks either one
 * depending on the zone. Gatehouse always means the earlier one (the one still on daylight saving
 * time): for an expiry that is the shorter access, never the longer.
 */
function earlierInstantOf(date: TZDate, wall: WallTime, timeZone: string): Date {
  for (const change of clockChangesAround(date, timeZone)) {
    if (change.change >= 0) continue;
    const earlier = new TZDate(subMinutes(date, -change.change).getTime(), timeZone);
    if (showsWallTime(earlier, wall)) return earlier;
  }
  return date;
}

/** "2026-12-01T10:00" in `timeZone` → ISO-8601 UTC, or null when empty; a message when it is no real time there. */
export function readLocalDateTime(value: string, timeZone: string): LocalDateTimeReading {
  const text = value.trim();
  if (text === "") return { valid: true, iso: null };
  const match = localDateTimePattern.exec(text);
  if (!match) return { valid: false, message: "Enter a date and time such as 2027-02-28T10:00." };
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = { year, month, day, hour, minute, second };
  // UTC has no clock changes: a wall time that does not read back there is not on the calendar.
  if (!showsWallTime(buildDate(wall, "UTC"), wall)) return { valid: false, message: describeOffCalendar(wall, text) };
  const date = buildDate(wall, timeZone);
  if (Number.isNaN(date.getTime())) return { valid: false, message: `The time zone ${timeZone} is not known.` };
  if (!showsWallTime(date, wall)) return { valid: false, message: describeGap(wall, text, timeZone, date) };
  // TZDate prints its own offset; the API and the store take UTC.
  return { valid: true, iso: new Date(earlierInstantOf(date, wall, timeZone).getTime()).toISOString() };
}

/** readLocalDateTime for one form field: the instant (or null when empty), or a field error thrown. */
export function localDateTimeToIso(value: string, timeZone: string, field: string): string | null {
  const reading = readLocalDateTime(value, timeZone);
  if (!reading.valid) throw fieldError(field, reading.message);
  return reading.iso;
}

/** The value a datetime-local input shows for an instant, in `timeZone`. */
export function isoToLocalDateTime(date: Date | null, timeZone: string): string {
  if (!date) return "";
  const zoned = new TZDate(date.getTime(), timeZone);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${zoned.getFullYear()}-${pad(zoned.getMonth() + 1)}-${pad(zoned.getDate())}T${pad(zoned.getHours())}:${pad(zoned.getMinutes())}`;
}
