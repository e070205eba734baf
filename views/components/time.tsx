import { formatDateTime, formatUtc } from "../format";

/**
 * A time in the viewer's zone; the exact UTC value is in the datetime attribute and the tooltip.
 * The date and the hour each stay on one line, and a narrow column may put the hour under the date.
 */
export function Time({ value, timeZone }: { value: Date | null | undefined; timeZone: string }) {
  if (!value) return <span>—</span>;
  const formatted = formatDateTime(value, timeZone);
  const comma = formatted.indexOf(", ");
  return (
    <time datetime={value.toISOString()} title={formatUtc(value)}>
      {comma < 0 ? (
        <span class="nowrap">{formatted}</span>
      ) : (
        <>
          <span class="nowrap">{formatted.slice(0, comma + 1)}</span>{" "}
          <span class="nowrap">{formatted.slice(comma + 2)}</span>
        </>
      )}
    </time>
  );
}
