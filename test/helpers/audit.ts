// Audit events for tests, written through insertAuditEvent at chosen times by chosen actors, and
// a strict RFC 4180 parser to read exports back.

import type { ServiceType } from "../../src/db/schema";
import type { ServiceScope } from "../../src/domain/access";
import { type AuditEventInput, insertAuditEvent } from "../../src/domain/audit/audit";
import type { Actor } from "../../src/domain/context";
import { TestClock } from "./clock";
import { testContext } from "./factories";

export function testActor(name = "Ava Auditor"): Actor & { kind: "account" } {
  const id = `usr_${crypto.randomUUID().replaceAll("-", "")}`;
  return { kind: "account", user: { id, displayName: name, email: `${id}@example.test` } };
}

/** A service actor (nothing in the product creates one yet; docs/SECURITY.md "Actors that are not people"). */
export function testService(
  type: ServiceType = "scim_directory",
  scope: ServiceScope = { kind: "staff" },
  name = "Staff directory",
): Actor & { kind: "service" } {
  return { kind: "service", service: { type, id: `svc_${crypto.randomUUID().replaceAll("-", "")}`, name, scope } };
}

export async function writeAuditEvent(at: string, actor: Actor, event: AuditEventInput): Promise<void> {
  await insertAuditEvent(testContext(new TestClock(at), actor), event);
}

/** Parses CSV text (quoted cells, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 1;
    } else cell += char;
  }
  if (cell !== "" || row.length > 0) throw new Error("CSV does not end with CRLF");
  return rows;
}
