// datetime-local inputs carry no zone: they are read in the viewer's time zone (an /account
// setting) and turned into an instant with @date-fns/tz, never by hand.
import { TZDate } from "@date-fns/tz";

const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/;

/** "2026-12-01T10:00" in `timeZone` → ISO-8601 UTC, or null when empty; undefined when malformed. */
export function localDateTimeToIso(value: string, timeZone: string): string | null | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  const match = localDateTimePattern.exec(trimmed);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const date = new TZDate(year, month - 1, day, hour, minute, timeZone);
  return Number.isNaN(date.getTime()) ? undefined : new Date(date.getTime()).toISOString();
}

/** The value a datetime-local input shows for an instant, in `timeZone`. */
export function isoToLocalDateTime(date: Date | null, timeZone: string): string {
  if (!date) return "";
  const zoned = new TZDate(date.getTime(), timeZone);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${zoned.getFullYear()}-${pad(zoned.getMonth() + 1)}-${pad(zoned.getDate())}T${pad(zoned.getHours())}:${pad(zoned.getMinutes())}`;
}
