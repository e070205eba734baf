// A group of 10,000 members (issue 18): one member added or removed through PATCH, in both Okta's
// and Entra's shapes, stays within the query budget and reads the people it names, never the
// group; a lookup that excludes members reads one row. The group is mapped to CLIENT_ADMIN, so
// the recomputation of roles rides along. Rows are written with raw SQL to keep the test fast.
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { insertRowsStatements } from "../helpers/bulk-rows";
import { TestClock } from "../helpers/clock";
import { createClientDirectory, type TestDirectory } from "../helpers/directories";
import { createCountingTestApp, QueryLog } from "../helpers/query-log";
import { queryBudget } from "./route-budgets";

const memberCount = 10_000;
const clock = new TestClock("2026-12-01T09:00:00Z");
const log = new QueryLog();
const app = createCountingTestApp(clock, log);
const groupId = "dgrp_scale";
const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
let directory: TestDirectory;

const userIdOf = (index: number) => `usr_gscale_${String(index).padStart(5, "0")}`;

beforeAll(async () => {
  directory = await createClientDirectory(app, clock, "Group scale");
  const now = clock.now().getTime();
  const users: string[] = [];
  const links: string[] = [];
  const members: string[] = [];
  // One user more than the group holds: the one a PATCH adds.
  for (let index = 0; index <= memberCount; index += 1) {
    const id = userIdOf(index);
    const email = `member.${index}@group-scale.example.test`;
    users.push(`('${id}', '${email}', 'Member', 'N${index}', 'Member N${index}', 'CLIENT_USER', ${now}, ${now})`);
    links.push(`('${id}', '${directory.id}', '${email}', '${email}', '{}', ${now}, ${now})`);
    if (index < memberCount) members.push(`('${groupId}', '${id}', ${now})`);
  }
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO directory_groups (id, directory_id, display_name, mapped_role, created_at, updated_at)
       VALUES (?, ?, 'Everyone', 'CLIENT_ADMIN', ?, ?)`,
    ).bind(groupId, directory.id, now, now),
    ...insertRowsStatements(
      "users",
      ["id", "email", "first_name", "last_name", "display_name", "role", "created_at", "updated_at"],
      users,
    ),
    ...insertRowsStatements(
      "directory_users",
      ["user_id", "directory_id", "user_name", "user_name_key", "attributes", "created_at", "updated_at"],
      links,
    ),
    ...insertRowsStatements("directory_group_members", ["group_id", "user_id", "added_at"], members),
  ]);
  const counted = await env.DB.prepare("SELECT count(*) AS n FROM directory_group_members WHERE group_id = ?")
    .bind(groupId)
    .first<{ n: number }>();
  expect(counted?.n).toBe(memberCount);
}, 120_000);

async function measurePatch(operations: unknown[]) {
  clock.advanceSeconds(61);
  log.reset();
  const response = await directory.scim.request("PATCH", `/Groups/${groupId}`, {
    schemas: [patchOpUrn],
    Operations: operations,
  });
  expect(response.status, await summarizeResponse(response)).toBe(204);
  return log;
}

it("adds one member to a group of 10,000 in three queries, reading only that person", async () => {
  const queries = await measurePatch([{ op: "add", path: "members", value: [{ value: userIdOf(memberCount) }] }]);
  expect(queries.queries.length, queries.describe()).toBeLessThanOrEqual(Math.min(3, queryBudget));
  expect(queries.maxRowsPerStatement, queries.describe()).toBeLessThanOrEqual(1);
});

it("removes one member of 10,000 in three queries, in Okta's and in Entra's shape", async () => {
  const okta = await measurePatch([{ op: "remove", path: `members[value eq "${userIdOf(7)}"]` }]);
  expect(okta.queries.length, okta.describe()).toBeLessThanOrEqual(Math.min(3, queryBudget));
  expect(okta.maxRowsPerStatement, okta.describe()).toBeLessThanOrEqual(1);
  const entra = await measurePatch([{ op: "Remove", path: "members", value: [{ value: userIdOf(8) }] }]);
  expect(entra.queries.length, entra.describe()).toBeLessThanOrEqual(Math.min(3, queryBudget));
  const left = await env.DB.prepare("SELECT count(*) AS n FROM directory_group_members WHERE group_id = ?")
    .bind(groupId)
    .first<{ n: number }>();
  expect(left?.n).toBe(memberCount + 1 - 2);
});

it("finds the group by name with members excluded in two queries, reading one row", async () => {
  clock.advanceSeconds(61);
  log.reset();
  const filter = encodeURIComponent('displayName eq "everyone"');
  const response = await directory.scim.request("GET", `/Groups?filter=${filter}&excludedAttributes=members`);
  expect(response.status, await summarizeResponse(response)).toBe(200);
  const body = await response.json<{ totalResults: number; Resources: Array<Record<string, unknown>> }>();
  expect(body.totalResults).toBe(1);
  expect(body.Resources[0]).not.toHaveProperty("members");
  expect(log.queries.length, log.describe()).toBeLessThanOrEqual(2);
  expect(log.maxRowsPerStatement, log.describe()).toBe(1);
});
