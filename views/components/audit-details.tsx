// The details of one audit event as people read them: keys in words, roles in words, times in the
// viewer's zone. The API and the CSV export keep the stored JSON as it is.
import { membershipRoleLabels, userRoleLabels } from "../../src/labels";
import { Time } from "./time";

/** "expiresAt" → "Expires at", "previous_slug" → "Previous slug". */
function humanKey(key: string): string {
  const words = key
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const roleLabels: Record<string, string | undefined> = { ...userRoleLabels, ...membershipRoleLabels };

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

function DetailValue({ value, timeZone }: { value: unknown; timeZone: string }) {
  if (value === null || value === undefined) return <span>—</span>;
  if (typeof value === "string") {
    if (isoInstant.test(value)) return <Time value={new Date(value)} timeZone={timeZone} />;
    const roleWords = roleLabels[value];
    if (roleWords) return <span title={value}>{roleWords}</span>;
    return <span>{value}</span>;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    // A list of roles (the sign-in policy's added and removed) reads in words too; the codes stay in the title.
    if (value.length === 0) return <span>—</span>;
    const words = value.map((item) => roleLabels[item] ?? item);
    const translated = words.some((word, index) => word !== value[index]);
    return <span title={translated ? value.join(", ") : undefined}>{words.join(", ")}</span>;
  }
  return <span>{typeof value === "object" ? JSON.stringify(value) : String(value)}</span>;
}

/** Ids in the details (userId: usr_…) say nothing a person can read; the row names them, the API and CSV keep them. */
function readableDetails(details: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(details).filter(
    ([key, value]) => !(key.endsWith("Id") && typeof value === "string" && /^[a-z]{3}_/.test(value)),
  );
}

export function AuditDetails({ details, timeZone }: { details: Record<string, unknown>; timeZone: string }) {
  return (
    <>
      {readableDetails(details).map(([key, value]) => (
        <div>
          <span class="muted">{humanKey(key)}:</span> <DetailValue value={value} timeZone={timeZone} />
        </div>
      ))}
    </>
  );
}
