// CSV export of the audit log, with each row's leaf and inclusion proof (audit-export.ts). Streamed:
// a ReadableStream pulls one keyset page at a time, so an export of 100,000 rows holds one page in
// memory, never the whole result.
// Cells are neutralized against formula injection (OWASP "CSV Injection"): a cell that starts with
// = + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text.
// Every cell is quoted (RFC 4180: inner quotes doubled), lines end with CRLF, and a UTF-8 byte order
// mark lets spreadsheet programs read names with accents correctly.

import type { DomainContext } from "../context";
import {
  auditExportPageSize,
  type ExportedRow,
  type SealedExport,
  streamExport,
  toExportJsonRow,
} from "./audit-export";

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
  // The verifiable log (audit-export.ts): the row's leaf, its bytes (base64) and its tlog-proof,
  // whose last lines are the checkpoint (the CSV has no other place for it).
  "leaf_index",
  "leaf",
  "proof",
] as const;

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

/** The row's JSON-export fields (its leaf's columns, then leaf_index, leaf, proof) in the CSV's order. */
function auditRowToCsv(row: ExportedRow): string {
  const fields = toExportJsonRow(row);
  return toCsvLine(
    auditCsvColumns.map((column) => (column === "details" ? JSON.stringify(fields.details) : fields[column])),
  );
}

/** The export as CSV, newest first, read page by page as the consumer pulls. */
export function streamAuditCsv(
  ctx: Pick<DomainContext, "db">,
  sealed: SealedExport,
  pageSize = auditExportPageSize,
): ReadableStream<Uint8Array> {
  return streamExport(
    ctx,
    sealed,
    {
      head: `\uFEFF${toCsvLine([...auditCsvColumns])}`,
      page: (rows) => rows.map(auditRowToCsv).join(""),
      tail: "",
    },
    pageSize,
  );
}
