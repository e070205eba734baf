// CSV export of the audit log. Streamed: a ReadableStream pulls one keyset page at a time, so an
// export of 100,000 rows holds one page in memory, never the whole result.
// Cells are neutralized against formula injection (OWASP "CSV Injection"): a cell that starts with
// = + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text.
// Every cell is quoted (RFC 4180: inner quotes doubled), lines end with CRLF, and a UTF-8 byte order
// mark lets spreadsheet programs read names with accents correctly.

import type { DomainContext } from "../context";
import { type AuditEventRow, type AuditFilter, readAuditRows } from "./audit-log";

export const auditCsvColumns = [
  "id",
  "at",
  "action",
  "actor_kind",
  "actor_id",
  "actor_name",
  "actor_email",
  "target_type",
  "target_id",
  "target_label",
  "tenant_id",
  "ip",
  "request_id",
  "details",
] as const;

export const auditCsvPageSize = 500;

const formulaTrigger = /^[=+\-@\t\r]/;

export function neutralizeCsvCell(value: string): string {
  return formulaTrigger.test(value) ? `'${value}` : value;
}

export function toCsvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return `"${neutralizeCsvCell(text).replaceAll('"', '""')}"`;
}

export function toCsvLine(values: Array<string | number | null | undefined>): string {
  return `${values.map(toCsvCell).join(",")}\r\n`;
}

function auditRowToCsv(row: AuditEventRow): string {
  return toCsvLine([
    row.id,
    row.at.toISOString(),
    row.action,
    row.actorKind,
    row.actorId,
    row.actorName,
    row.actorEmail,
    row.targetType,
    row.targetId,
    row.targetLabel,
    row.tenantId,
    row.ip,
    row.requestId,
    JSON.stringify(row.details),
  ]);
}

/** The filtered log as CSV, newest first, read page by page as the consumer pulls. */
export function streamAuditCsv(
  ctx: Pick<DomainContext, "db">,
  filter: AuditFilter,
  pageSize = auditCsvPageSize,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let beforeId: number | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(`\uFEFF${toCsvLine([...auditCsvColumns])}`));
          return;
        }
        const rows = await readAuditRows(ctx, filter, beforeId, pageSize);
        const last = rows.at(-1);
        if (last) {
          controller.enqueue(encoder.encode(rows.map(auditRowToCsv).join("")));
          beforeId = last.id;
        }
        if (rows.length < pageSize) controller.close();
      },
    },
    // Read no further ahead than one page.
    { highWaterMark: 1 },
  );
}
