import { describe, expect, it } from "vitest";
import { testActor, testService, writeAuditEvent } from "../helpers/audit";
import { TestClock } from "../helpers/clock";
import { createActiveUser, createTestApp, signInAs } from "../helpers/factories";

const clock = new TestClock("2026-11-24T12:00:00Z");
const app = createTestApp(clock);

interface Item {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; id: string | null; name: string; email: string | null };
  target: { type: string | null; id: string | null; label: string | null };
  tenantId: string | null;
}

async function auditor() {
  const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
  return signInAs(app, clock, admin);
}

async function list(agent: Awaited<ReturnType<typeof auditor>>, query: Record<string, string>) {
  const response = await agent.get(`/api/v1/audit-events?${new URLSearchParams(query).toString()}`);
  return {
    status: response.status,
    body: await response.json<{ items: Item[]; nextCursor: string | null; errors?: unknown[] }>(),
  };
}

describe("GET /api/v1/audit-events", () => {
  it("filters by actor, action, target, tenant and time range, newest first, in the documented shape", async () => {
    const agent = await auditor();
    const actor = testActor("Fiona Filter");
    const tenantId = `tnt_${crypto.randomUUID().slice(0, 8)}`;
    const targetId = `grp_${crypto.randomUUID().slice(0, 8)}`;
    await writeAuditEvent("2026-11-20T10:00:00Z", actor, {
      action: "group.created",
      target: { type: "group", id: targetId, label: "G" },
    });
    await writeAuditEvent("2026-11-20T11:00:00Z", actor, {
      action: "membership.granted",
      tenantId,
      details: { role: "OPERATOR_FULL" },
    });
    await writeAuditEvent("2026-11-20T12:00:00Z", actor, {
      action: "group.updated",
      target: { type: "group", id: targetId, label: "G2" },
    });
    await writeAuditEvent("2026-11-20T13:00:00Z", actor, { action: "membership.revoked", tenantId });
    await writeAuditEvent("2026-11-20T12:30:00Z", testActor(), {
      action: "group.updated",
      target: { type: "group", id: targetId, label: "G3" },
    });

    const mine = await list(agent, { actorId: actor.user.id });
    expect(mine.body.items.map((item) => item.at)).toEqual([
      "2026-11-20T13:00:00.000Z",
      "2026-11-20T12:00:00.000Z",
      "2026-11-20T11:00:00.000Z",
      "2026-11-20T10:00:00.000Z",
    ]);
    expect(mine.body.items[2]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      at: "2026-11-20T11:00:00.000Z",
      action: "membership.granted",
      actor: { kind: "account", id: actor.user.id, name: "Fiona Filter", email: actor.user.email },
      target: { type: null, id: null, label: null },
      tenantId,
      details: { role: "OPERATOR_FULL" },
      ip: "203.0.113.7",
      requestId: "test",
    });
    const actions = async (query: Record<string, string>) =>
      (await list(agent, query)).body.items.map((i) => `${i.action}@${i.at.slice(11, 16)}`);
    expect(await actions({ actorId: actor.user.id, action: "group.updated" })).toEqual(["group.updated@12:00"]);
    expect(await actions({ targetId })).toEqual(["group.updated@12:30", "group.updated@12:00", "group.created@10:00"]);
    expect(await actions({ tenantId })).toEqual(["membership.revoked@13:00", "membership.granted@11:00"]);
    expect(await actions({ actorId: actor.user.id, from: "2026-11-20T11:00:00Z", to: "2026-11-20T13:00:00Z" })).toEqual(
      ["group.updated@12:00", "membership.granted@11:00"],
    );
    expect(await actions({ targetId, from: "2026-11-20T13:00:00+01:00" })).toEqual([
      "group.updated@12:30",
      "group.updated@12:00",
    ]);
  });

  it("tells people, the system and services apart by actor.kind", async () => {
    const agent = await auditor();
    const directory = testService("scim_directory", { kind: "tenant", tenantId: "tnt_acme" }, "Acme directory");
    const targetId = `usr_${crypto.randomUUID().slice(0, 8)}`;
    const target = { type: "user" as const, id: targetId, label: "Target" };
    await writeAuditEvent("2026-11-22T10:00:00Z", directory, { action: "membership.revoked", target });
    await writeAuditEvent("2026-11-22T11:00:00Z", { kind: "system" }, { action: "membership.expired", target });

    const { body } = await list(agent, { targetId });
    expect(body.items.map((item) => item.actor)).toEqual([
      { kind: "system", id: null, name: "Gatehouse (system)", email: null },
      { kind: "service:scim_directory", id: directory.service.id, name: "Acme directory", email: null },
    ]);
    expect((await list(agent, { actorId: directory.service.id })).body.items.map((item) => item.action)).toEqual([
      "membership.revoked",
    ]);
  });

  it("walks every event exactly once with cursors, also across events that share a timestamp", async () => {
    const agent = await auditor();
    const actor = testActor();
    for (const [index, at] of ["09:00", "09:00", "09:00", "09:01", "09:02", "09:02", "09:03"].entries()) {
      await writeAuditEvent(`2026-11-21T${at}:00Z`, actor, { action: "user.updated", details: { index } });
    }
    const everything = (await list(agent, { actorId: actor.user.id })).body.items.map((item) => item.id);
    expect(everything).toHaveLength(7);
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(agent, { actorId: actor.user.id, limit: "3", ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      walked.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(walked).toEqual(everything);
    expect(new Set(walked).size).toBe(7);
  });

  it("refuses unknown parameters, unknown actions, malformed times and cursors, and limits over 100", async () => {
    const agent = await auditor();
    const queries: Array<Record<string, string>> = [
      { actor: "x" },
      { action: "user.hacked" },
      { from: "yesterday" },
      { cursor: "not-a-cursor" },
      { limit: "101" },
    ];
    for (const query of queries) {
      const response = await list(agent, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.errors).toBeDefined();
    }
  });
});
