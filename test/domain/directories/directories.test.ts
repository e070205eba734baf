// Directories as a SUPER_ADMIN manages them (docs/PRODUCT.md "Directories (SCIM)"): one per tenant
// and one for the staff, a gths_ token stored as SHA-256, rotation with a 24-hour overlap, revocation.
import { describe, expect, it } from "vitest";
import { hashToken } from "../../../src/auth/crypto";
import type { GlobalRole } from "../../../src/db/schema";
import type { Actor } from "../../../src/domain/context";
import {
  createDirectory,
  renameDirectory,
  revokeDirectoryToken,
  rotateDirectoryToken,
} from "../../../src/domain/directories/directories";
import { listDirectories, loadDirectoryPage } from "../../../src/domain/directories/directories-read";
import { AppError } from "../../../src/errors";
import { TestClock } from "../../helpers/clock";
import { createTestTenant, testContext, testPrincipal } from "../../helpers/factories";
import { rawDb } from "../../helpers/store";

function personActor(clock: TestClock, role: GlobalRole): Actor {
  return { kind: "user", principal: testPrincipal(clock, role) };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

async function tokenRows(directoryId: string) {
  const rows = await rawDb
    .prepare(
      "SELECT id, token_hash, expires_at, revoked_at FROM directory_tokens WHERE directory_id = ? ORDER BY created_at",
    )
    .bind(directoryId)
    .all<{ id: string; token_hash: string; expires_at: number | null; revoked_at: number | null }>();
  return rows.results;
}

describe("directories", () => {
  it("creates a company directory with one token stored as its SHA-256, audited, and refuses a second one for that company", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const tenant = await createTestTenant(clock, "Acme");
    const created = await createDirectory(admin, { scope: "tenant", name: "Acme Entra", tenantId: tenant.id });
    expect(created.secret).toMatch(/^gths_/);
    expect(created.scimBaseUrl).toBe(`${admin.config.APP_ORIGIN}/scim/v2`);
    const tokens = await tokenRows(created.directory.id);
    expect(tokens).toEqual([
      { id: created.token.id, token_hash: hashToken(created.secret), expires_at: null, revoked_at: null },
    ]);
    const audit = await rawDb
      .prepare(
        "SELECT actor_kind, tenant_id, target_label FROM audit_events WHERE action = 'directory.created' AND target_id = ?",
      )
      .bind(created.directory.id)
      .first();
    expect(audit).toEqual({ actor_kind: "user", tenant_id: tenant.id, target_label: "Acme Entra" });

    const second = await refusal(createDirectory(admin, { scope: "tenant", name: "Another", tenantId: tenant.id }));
    expect(second.code).toBe("STATE_CONFLICT");
    expect(second.detail).toContain("Acme already has a directory");
  });

  it("allows one staff directory and refuses a second one clearly", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    await createDirectory(admin, { scope: "staff", name: "Okta" });
    const second = await refusal(createDirectory(admin, { scope: "staff", name: "Entra" }));
    expect(second.code).toBe("STATE_CONFLICT");
    expect(second.detail).toContain("The staff already has a directory");
    const count = await rawDb
      .prepare("SELECT count(*) AS n FROM directories WHERE scope = 'staff'")
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("answers a field error for a company that does not exist", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const error = await refusal(createDirectory(admin, { scope: "tenant", name: "Ghost", tenantId: "ten_missing" }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fieldErrors.map((item) => item.field)).toEqual(["tenantId"]);
  });

  it("refuses an Operator, whatever their permissions, and a directory acting as a service", async () => {
    const clock = new TestClock();
    const tenant = await createTestTenant(clock, "Refused");
    const operator = testContext(clock, personActor(clock, "OPERATOR"));
    const error = await refusal(createDirectory(operator, { scope: "tenant", name: "X", tenantId: tenant.id }));
    expect(error.code).toBe("FORBIDDEN");
    const service: Actor = {
      kind: "service",
      service: { type: "scim_directory", id: "dir_other", name: "Okta", scope: { kind: "staff" } },
    };
    const byService = await refusal(
      createDirectory(testContext(clock, service), { scope: "tenant", name: "X", tenantId: tenant.id }),
    );
    expect(byService.code).toBe("FORBIDDEN");
    const rows = await rawDb
      .prepare("SELECT count(*) AS n FROM directories WHERE tenant_id = ?")
      .bind(tenant.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("rotates: the new token is current and the older live token ends 24 hours later", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const tenant = await createTestTenant(clock, "Rotate");
    const created = await createDirectory(admin, { scope: "tenant", name: "Okta", tenantId: tenant.id });
    clock.advanceSeconds(3600);
    const rotated = await rotateDirectoryToken(testContext(clock, admin.actor), created.directory.id);
    const overlapEnd = clock.now().getTime() + 24 * 3600 * 1000;
    expect(rotated.overlapEndsAt.getTime()).toBe(overlapEnd);
    const tokens = await tokenRows(created.directory.id);
    expect(tokens).toEqual([
      { id: created.token.id, token_hash: hashToken(created.secret), expires_at: overlapEnd, revoked_at: null },
      { id: rotated.token.id, token_hash: hashToken(rotated.secret), expires_at: null, revoked_at: null },
    ]);

    // A second rotation an hour later never lengthens the first token's overlap.
    clock.advanceSeconds(3600);
    const again = await rotateDirectoryToken(testContext(clock, admin.actor), created.directory.id);
    const page = await loadDirectoryPage(testContext(clock, admin.actor), created.directory.id);
    expect(page.tokens.map((token) => [token.id, token.state, token.expiresAt?.getTime() ?? null])).toEqual([
      [again.token.id, "current", null],
      [rotated.token.id, "overlapping", clock.now().getTime() + 24 * 3600 * 1000],
      [created.token.id, "overlapping", overlapEnd],
    ]);
    clock.advanceSeconds(24 * 3600 - 60);
    const later = await loadDirectoryPage(testContext(clock, admin.actor), created.directory.id);
    expect(later.tokens.map((token) => token.state)).toEqual(["current", "overlapping", "expired"]);
  });

  it("revokes one token and refuses to revoke it twice or through another directory", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const first = await createDirectory(admin, {
      scope: "tenant",
      name: "One",
      tenantId: (await createTestTenant(clock, "One")).id,
    });
    const other = await createDirectory(admin, {
      scope: "tenant",
      name: "Two",
      tenantId: (await createTestTenant(clock, "Two")).id,
    });
    const across = await refusal(revokeDirectoryToken(admin, other.directory.id, first.token.id));
    expect(across.code).toBe("NOT_FOUND");
    await revokeDirectoryToken(admin, first.directory.id, first.token.id);
    const [row] = await tokenRows(first.directory.id);
    expect(row?.revoked_at).toBe(clock.now().getTime());
    expect((await refusal(revokeDirectoryToken(admin, first.directory.id, first.token.id))).code).toBe("NOT_FOUND");
    const audits = await rawDb
      .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'directory.token_revoked' AND target_id = ?")
      .bind(first.directory.id)
      .first<{ n: number }>();
    expect(audits?.n).toBe(1);
  });

  it("renames a directory, audited with its previous name", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const created = await createDirectory(admin, {
      scope: "tenant",
      name: "Old name",
      tenantId: (await createTestTenant(clock, "Renamed")).id,
    });
    await renameDirectory(admin, created.directory.id, { name: "New name" });
    const page = await loadDirectoryPage(admin, created.directory.id);
    expect(page.directory.name).toBe("New name");
    const audit = await rawDb
      .prepare("SELECT details FROM audit_events WHERE action = 'directory.renamed' AND target_id = ?")
      .bind(created.directory.id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toEqual({ previousName: "Old name" });
  });

  it("counts a directory's users by status (deleted links not counted) and its groups with their mapping", async () => {
    const clock = new TestClock();
    const admin = testContext(clock, personActor(clock, "SUPER_ADMIN"));
    const tenant = await createTestTenant(clock, "Counted");
    const created = await createDirectory(admin, { scope: "tenant", name: "Entra", tenantId: tenant.id });
    const id = created.directory.id;
    const at = clock.now().getTime();
    const statuses: Array<[string, number | null, number | null, number | null]> = [
      ["active", at, null, null],
      ["pending", null, null, null],
      ["gone", at, at, null],
      ["deleted", at, at, at],
    ];
    for (const [name, activated, deactivated, deleted] of statuses) {
      const userId = `usr_${name}_${crypto.randomUUID().slice(0, 8)}`;
      await rawDb.batch([
        rawDb
          .prepare(
            "INSERT INTO users (id, email, first_name, last_name, display_name, role, created_at, updated_at, activated_at, deactivated_at) VALUES (?, ?, 'A', 'B', 'A B', 'CLIENT_USER', ?, ?, ?, ?)",
          )
          .bind(userId, `${userId}@example.test`, at, at, activated, deactivated),
        rawDb
          .prepare(
            "INSERT INTO directory_users (user_id, directory_id, user_name, user_name_key, attributes, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, '{}', ?, ?, ?)",
          )
          .bind(userId, id, name, name, at, at, deleted),
      ]);
    }
    await rawDb
      .prepare(
        "INSERT INTO directory_groups (id, directory_id, display_name, mapped_role, created_at, updated_at) VALUES ('dgr_it', ?, 'Acme IT', 'CLIENT_ADMIN', ?, ?)",
      )
      .bind(id, at, at)
      .run();
    const page = await loadDirectoryPage(admin, id);
    expect(page.directory.users).toEqual({ active: 1, pending: 1, deactivated: 1 });
    expect(page.directory.groups).toBe(1);
    expect(page.groups.map((group) => [group.displayName, group.mappedRole, group.accessGroup])).toEqual([
      ["Acme IT", "CLIENT_ADMIN", null],
    ]);
    expect(page.accessGroupChoices).toEqual([]);
    const listed = await listDirectories(admin);
    const summary = listed.items.find((item) => item.id === id);
    expect(summary?.users).toEqual({ active: 1, pending: 1, deactivated: 1 });
    expect(summary?.tenant?.name).toBe("Counted");
  });
});
