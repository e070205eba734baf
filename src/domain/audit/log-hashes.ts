// The hash rules of the verifiable audit log (docs/AUDIT.md "The leaf" and "The tree"): the only
// code the writer shares with the offline verifier (scripts/audit-verify.ts), so it imports nothing
// from the Worker and runs in workerd and in Node alike.
// - A leaf is the line "gatehouse-audit-leaf/v1\n" followed by the RFC 8785 (JCS) canonical JSON of
//   the whole audit row, with the export's column names and values: `at` as ISO-8601 UTC with
//   milliseconds, `details` as the JSON value it holds, absent values as null.
// - Hashes follow RFC 9162 §2.1.1 (as RFC 6962): SHA-256 over 0x00 || leaf for a leaf, over
//   0x01 || left || right for an interior node; the empty tree's root is SHA-256 of nothing.
import canonicalize from "canonicalize";

export const leafVersionLine = "gatehouse-audit-leaf/v1\n";

/** One audit row as the leaf encodes it: the export's columns, in any order (JCS sorts them). */
export interface AuditLeafRow {
  id: number;
  at: string;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  actor_email: string | null;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  tenant_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: unknown;
}

/** The exact bytes of a row's leaf. */
export function encodeAuditLeaf(row: AuditLeafRow): Uint8Array {
  const fields: AuditLeafRow = {
    id: row.id,
    at: row.at,
    action: row.action,
    actor_kind: row.actor_kind,
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    actor_email: row.actor_email,
    target_type: row.target_type,
    target_id: row.target_id,
    target_label: row.target_label,
    tenant_id: row.tenant_id,
    ip: row.ip,
    request_id: row.request_id,
    details: row.details,
  };
  const json = canonicalize(fields);
  if (json === undefined) throw new Error("an audit row has no canonical JSON form");
  return new TextEncoder().encode(leafVersionLine + json);
}

async function sha256(parts: Uint8Array[]): Promise<Uint8Array> {
  const length = parts.reduce((total, part) => total + part.length, 0);
  const input = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input));
}

const leafPrefix = Uint8Array.of(0x00);
const nodePrefix = Uint8Array.of(0x01);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function hashLeaf(leaf: Uint8Array): Promise<Uint8Array> {
  return sha256([leafPrefix, leaf]);
}

/** RFC 9162 §2.1.1: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256([nodePrefix, left, right]);
}

/** RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string. */
export function hashEmptyTree(): Promise<Uint8Array> {
  return sha256([]);
}
