import { formatDateTime, formatUtc } from "../format";

/** A time in the viewer's zone; the exact UTC value is in the datetime attribute and the tooltip. */
export function Time({ value, timeZone }: { value: Date | null | undefined; timeZone: string }) {
  if (!value) return <span>—</span>;
  return (
    <time datetime={value.toISOString()} title={formatUtc(value)}>
      {formatDateTime(value, timeZone)}
    </time>
  );
}
