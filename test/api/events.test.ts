// GET /api/v1/events (docs/EVENTS.md "The events API"): the audit log as events, oldest first,
// behind an opaque cursor, for a bearer token whose user holds audit:read. A consumer that stores
// nextCursor catches up after a gap with exactly the events written meanwhile, in order.
import { describe, expect, it } from "vitest";
import type { EventPayload } from "../../src/domain/events/events";
import { origin } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  createTestTenant,
  grantPermissionsThroughGroup,
  grantTestMembership,
  inviteTestUser,
  signInAs,
} from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const clock = new TestClock("2026-11-24T12:00:00Z");
const app = createTestApp(clock);

interface EventsPage {
  data: EventPayload[];
  nextCursor: string;
  hasMore: boolean;
}

/** An operator whose only access is an access group with audit:read, calling with an API token. */
async function eventsConsumer(permissions = ["audit:read"]): Promise<ApiClient> {
  const user = await createActiveUser(clock, { role: "OPERATOR" });
  await grantPermissionsThroughGroup(user.id, permissions);
  const agent = await signInAs(app, clock, user);
  return new ApiClient(app, await createApiTokenFor(agent));
}

async function readPage(api: ApiClient, query: Record<string, string>): Promise<EventsPage> {
  return api.expectJson<EventsPage>("GET", `/api/v1/events?${new URLSearchParams(query).toString()}`, undefined, 200);
}

/** Follows nextCursor until hasMore is false; returns every event read and the cursor to keep. */
async function readAll(api: ApiClient, query: Record<string, string>, between?: () => Promise<void>) {
  const events: EventPayload[] = [];
  let cursor = query.after;
  let pages = 0;
  for (;;) {
    const page = await readPage(api, { ...query, ...(cursor ? { after: cursor } : {}) });
    events.push(...page.data);
    cursor = page.nextCursor;
    pages += 1;
    if (pages === 1) await between?.();
    if (!page.hasMore) return { events, cursor, pages };
  }
}

interface AuditRow {
  id: number;
  action: string;
  at: number;
  tenant_id: string | null;
  actor_id: string | null;
  target_id: string | null;
}

async function auditRowsAfter(id: number): Promise<AuditRow[]> {
  const rows = await rawDb
    .prepare("SELECT id, action, at, tenant_id, actor_id, target_id FROM audit_events WHERE id > ? ORDER BY id")
    .bind(id)
    .all<AuditRow>();
  return rows.results;
}

function asEvent(row: AuditRow) {
  return {
    id: `evt_${row.id}`,
    type: row.action,
    timestamp: new Date(row.at).toISOString(),
    actorId: row.actor_id,
    targetId: row.target_id,
    tenantId: row.tenant_id,
  };
}

function summarize(event: EventPayload) {
  return {
    id: event.id,
    type: event.type,
    timestamp: event.timestamp,
    actorId: event.data.actor.id,
    targetId: event.data.target.id,
    tenantId: event.data.tenant?.id ?? null,
  };
}

const auditIdOf = (event: EventPayload) => Number(event.id.slice("evt_".length));

/** Events of three kinds, in a tenant of their own: tenant.created, user.invited, membership.granted. */
async function writeEvents(name: string) {
  const tenant = await createTestTenant(clock, name);
  const { user } = await inviteTestUser(clock, { role: "OPERATOR" });
  await grantTestMembership(clock, { userId: user.id, tenantId: tenant.id, role: "OPERATOR_READONLY" });
  clock.advanceSeconds(60);
  return tenant;
}

describe("GET /api/v1/events", () => {
  it("pages every event oldest first, and after a gap catches up with exactly the events written meanwhile, in order", async () => {
    const api = await eventsConsumer();
    await writeEvents("Before");

    const first = await readAll(api, { limit: "3" });
    expect(first.pages).toBeGreaterThan(1);
    expect(first.events.map(summarize)).toEqual((await auditRowsAfter(0)).map(asEvent));
    const seenUpTo = auditIdOf(first.events.at(-1) as EventPayload);

    // The consumer is down while these happen, and one more event arrives while it is paging.
    for (const name of ["Gap one", "Gap two", "Gap three"]) await writeEvents(name);
    const caughtUp = await readAll(api, { limit: "4", after: first.cursor }, () => writeEvents("While paging").then());

    const expected = (await auditRowsAfter(seenUpTo)).map(asEvent);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(caughtUp.events.map(summarize)).toEqual(expected);
    expect(new Set(caughtUp.events.map((event) => event.id)).size).toBe(caughtUp.events.length);
    const tenantEvent = caughtUp.events.find((event) => event.type === "tenant.created");
    expect(tenantEvent?.data.tenant).toMatchObject({ name: "Gap one" });
    expect(tenantEvent?.data.actor).toMatchObject({ kind: "system" });
  });

  it("returns the same cursor on an empty page, so polling with it stays put", async () => {
    const api = await eventsConsumer();
    const { cursor } = await readAll(api, {});

    const empty = await readPage(api, { after: cursor });
    const again = await readPage(api, { after: empty.nextCursor });

    expect(empty).toEqual({ data: [], nextCursor: cursor, hasMore: false });
    expect(again).toEqual({ data: [], nextCursor: cursor, hasMore: false });
    const tenant = await createTestTenant(clock, "After the poll");
    const next = await readPage(api, { after: cursor });
    expect(next.data.map((event) => [event.type, event.data.tenant?.id])).toEqual([["tenant.created", tenant.id]]);
  });

  it("filters by event types and by tenant", async () => {
    const api = await eventsConsumer();
    const { cursor, events } = await readAll(api, {});
    const tenantA = await writeEvents("Filter A");
    await writeEvents("Filter B");
    const written = await auditRowsAfter(auditIdOf(events.at(-1) as EventPayload));

    const byType = await readAll(api, { after: cursor, types: "tenant.created,membership.granted" });
    expect(byType.events.map(summarize)).toEqual(
      written.filter((row) => ["tenant.created", "membership.granted"].includes(row.action)).map(asEvent),
    );
    expect(byType.events).toHaveLength(4);

    const byTenant = await readAll(api, { after: cursor, tenantId: tenantA.id });
    expect(byTenant.events.map(summarize)).toEqual(written.filter((row) => row.tenant_id === tenantA.id).map(asEvent));
    expect(byTenant.events.map((event) => event.type)).toEqual(["tenant.created", "membership.granted"]);
  });

  it("answers 400 naming an unknown event type, and 400 on a cursor it did not issue", async () => {
    const api = await eventsConsumer();

    const unknownType = await api.call("GET", "/api/v1/events?types=tenant.created,user.exploded");
    const unknownBody = await unknownType.text();
    expect(unknownType.status, unknownBody).toBe(400);
    expect(unknownType.headers.get("content-type")).toContain("application/problem+json");
    expect(unknownBody).toContain("user.exploded");
    expect(unknownBody).not.toContain("tenant.created,");

    for (const after of ["not-a-cursor", btoa('{"time":0,"id":"-4"}'), "%%%"]) {
      const badCursor = await api.call("GET", `/api/v1/events?after=${encodeURIComponent(after)}`);
      const body = await badCursor.text();
      expect(badCursor.status, body).toBe(400);
      expect(body).toContain("after");
    }
  });

  it("refuses a token whose user lacks audit:read (403) and a request without a token (401)", async () => {
    const withoutAudit = await eventsConsumer(["users:read"]);
    const forbidden = await withoutAudit.call("GET", "/api/v1/events");
    expect(forbidden.status, await forbidden.text()).toBe(403);

    const anonymous = await app.request(`${origin}/api/v1/events`, {}, env);
    expect(anonymous.status, await anonymous.text()).toBe(401);
  });
});
