// A directory of 10,000 users (issue 18): the identity provider's `userName eq` lookup and a page of
// 100 users stay within the query budget and read a page, not the directory. The rows are written
// with raw SQL in multi-row statements (not through the API) to keep the test fast.
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import { summarizeResponse } from "../helpers/agent";
import { insertRowsStatements } from "../helpers/bulk-rows";
import { TestClock } from "../helpers/clock";
import { createClientDirectory, type TestDirectory } from "../helpers/directories";
import { createCountingTestApp, QueryLog } from "../helpers/query-log";
import { queryBudget } from "./route-budgets";

const userCount = 10_000;
const clock = new TestClock("2026-12-01T09:00:00Z");
const log = new QueryLog();
const app = createCountingTestApp(clock, log);
let directory: TestDirectory;

const userNameOf = (index: number) => `person.${index}@scale.example.test`;

beforeAll(async () => {
  directory = await createClientDirectory(app, clock, "Scale");
  const now = clock.now().getTime();
  const userRows: string[] = [];
  const linkRows: string[] = [];
  for (let index = 0; index < userCount; index += 1) {
    const id = `usr_scale_${String(index).padStart(5, "0")}`;
    userRows.push(
      `('${id}', '${userNameOf(index)}', 'Person', 'N${index}', 'Person N${index}', 'CLIENT_USER', ${now}, ${now})`,
    );
    linkRows.push(
      `('${id}', '${directory.id}', '${userNameOf(index)}', '${userNameOf(index)}', 'ext-${index}', '{}', ${now + index}, ${now + index})`,
    );
  }
  await env.DB.batch(
    insertRowsStatements(
      "users",
      ["id", "email", "first_name", "last_name", "display_name", "role", "created_at", "updated_at"],
      userRows,
    ),
  );
  await env.DB.batch(
    insertRowsStatements(
      "directory_users",
      [
        "user_id",
        "directory_id",
        "user_name",
        "user_name_key",
        "external_id",
        "attributes",
        "created_at",
        "updated_at",
      ],
      linkRows,
    ),
  );
  const counted = await env.DB.prepare("SELECT count(*) AS n FROM directory_users WHERE directory_id = ?")
    .bind(directory.id)
    .first<{ n: number }>();
  expect(counted?.n).toBe(userCount);
}, 120_000);

async function measure(path: string) {
  clock.advanceSeconds(61);
  log.reset();
  const response = await directory.scim.request("GET", path);
  expect(response.status, await summarizeResponse(response)).toBe(200);
  return { body: await response.json<{ totalResults: number; Resources: Array<{ userName: string }> }>(), log };
}

it("finds one user by userName among 10,000 in two queries, reading one row", async () => {
  const { body, log: queries } = await measure(
    `/Users?filter=${encodeURIComponent(`userName eq "PERSON.7321@scale.example.test"`)}`,
  );
  expect(body.totalResults).toBe(1);
  expect(body.Resources.map((user) => user.userName)).toEqual([userNameOf(7321)]);
  expect(queries.queries.length, queries.describe()).toBeLessThanOrEqual(Math.min(2, queryBudget));
  expect(queries.maxRowsPerStatement, queries.describe()).toBe(1);
});

it("serves a page of 100 deep in 10,000 users in two queries, reading 100 rows", async () => {
  const { body, log: queries } = await measure("/Users?startIndex=5001&count=100");
  expect(body.totalResults).toBe(userCount);
  expect(body.Resources[0]?.userName).toBe(userNameOf(5000));
  expect(body.Resources).toHaveLength(100);
  expect(queries.queries.length, queries.describe()).toBeLessThanOrEqual(Math.min(2, queryBudget));
  expect(queries.maxRowsPerStatement, queries.describe()).toBe(100);
});
