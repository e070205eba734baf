// Display helpers for views: times in the viewer's time zone with the UTC value at hand.
// Building an Intl.DateTimeFormat costs ~0.1 ms of CPU; a page of 50 users formats 100 times.
// One formatter per time zone, kept for the isolate's life (docs/PERFORMANCE.md).
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormatFor(timeZone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    dateTimeFormats.set(timeZone, format);
  }
  return format;
}

export function formatDateTime(date: Date | null | undefined, timeZone = "UTC"): string {
  if (!date) return "—";
  return dateTimeFormatFor(timeZone).format(date);
}

export function formatUtc(date: Date | null | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The day alone, as formatDateTime writes it ("11 Jan 2027"), in the viewer's time zone. */
export function formatDate(date: Date | null | undefined, timeZone = "UTC"): string {
  if (!date) return "—";
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, year: "numeric", month: "short", day: "numeric" });
    dateFormats.set(timeZone, format);
  }
  return format.format(date);
}

/** "1 event", "2,048 events": a count with its noun, thousands separated as the dates are written (en-GB). */
export function formatCount(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}
