// Directories for console tests: made through createDirectory (the system actor), then filled with
// rows as a SCIM client would have left them (linked users of each status, groups, refusals), so
// the console's reads can be measured at any size without the SCIM routes.
import { createDirectory } from "../../src/domain/directories/directories";
import type { TestClock } from "./clock";
import { createTestTenant, testContext } from "./factories";
import { rawDb } from "./store";

export interface DirectoryFill {
  /** Linked users, cycling through active, pending, deactivated and deleted links. */
  users?: number;
  groups?: number;
  errors?: number;
}

const statuses = ["active", "pending", "deactivated", "deleted"] as const;

function userStatements(directoryId: string, at: number, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const status = statuses[index % statuses.length];
    const userId = `usr_dir_${crypto.randomUUID().replaceAll("-", "")}`;
    const activated = status === "pending" ? null : at;
    const deactivated = status === "deactivated" || status === "deleted" ? at : null;
    return [
      rawDb
        .prepare(
          "INSERT INTO users (id, email, first_name, last_name, display_name, role, created_at, updated_at, activated_at, deactivated_at) VALUES (?, ?, 'Dir', 'User', 'Dir User', 'CLIENT_USER', ?, ?, ?, ?)",
        )
        .bind(userId, `${userId}@example.test`, at, at, activated, deactivated),
      rawDb
        .prepare(
          "INSERT INTO directory_users (user_id, directory_id, user_name, user_name_key, attributes, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)",
        )
        .bind(userId, directoryId, userId, userId, at, at, status === "deleted" ? at : null),
    ];
  }).flat();
}

/** A company directory (a new tenant) with its first token, filled with `fill`. */
export async function createFilledDirectory(clock: TestClock, fill: DirectoryFill = {}, tenantName = "Directory Co") {
  const tenant = await createTestTenant(clock, tenantName);
  const created = await createDirectory(testContext(clock), { scope: "tenant", name: "Entra", tenantId: tenant.id });
  const id = created.directory.id;
  const at = clock.now().getTime();
  const statements = [
    ...userStatements(id, at, fill.users ?? 0),
    ...Array.from({ length: fill.groups ?? 0 }, (_, index) =>
      rawDb
        .prepare(
          "INSERT INTO directory_groups (id, directory_id, display_name, mapped_role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(
          `dgr_${crypto.randomUUID().replaceAll("-", "")}`,
          id,
          `Group ${index}`,
          index === 0 ? "CLIENT_ADMIN" : null,
          at,
          at,
        ),
    ),
    ...Array.from({ length: fill.errors ?? 0 }, (_, index) =>
      rawDb
        .prepare(
          "INSERT INTO directory_errors (directory_id, at, method, path, status, scim_type, detail) VALUES (?, ?, 'POST', '/scim/v2/Users', 409, 'uniqueness', ?)",
        )
        .bind(id, at, `Refusal ${index}: this email exists.`),
    ),
  ];
  for (let start = 0; start < statements.length; start += 200) await rawDb.batch(statements.slice(start, start + 200));
  return { ...created, tenant };
}
