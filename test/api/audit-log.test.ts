// The verifiable audit log over HTTP (docs/API.md "Audit log: checkpoints and proofs"): signed
// checkpoints as JSON and as their note, an event's inclusion proof in the c2sp.org/tlog-proof@v1
// form checked against RFC 9162's PATH, consistency proofs against RFC 9162's PROOF, the public
// verifier keys, and who may read them.
import { encodeBase64 } from "@oslojs/encoding";
import { beforeEach, describe, expect, it } from "vitest";
import { insertAuditEvent } from "../../src/domain/audit/audit";
import { type Checkpoint, sealCheckpoint, sequenceAuditLog } from "../../src/domain/audit/audit-tree";
import { origin, summarizeResponse } from "../helpers/agent";
import { ApiClient, createApiTokenFor } from "../helpers/api";
import { testActor } from "../helpers/audit";
import { referenceConsistency, referencePath, referenceRoot, testVerifierKey } from "../helpers/audit-log";
import { parseTlogProof, sequencedLeafHashes } from "../helpers/audit-proofs";
import { TestClock } from "../helpers/clock";
import {
  createActiveUser,
  createTestApp,
  grantPermissionsThroughGroup,
  signInAs,
  testContext,
} from "../helpers/factories";
import { env, rawDb } from "../helpers/store";

const clock = new TestClock("2026-12-03T09:00:00Z");
const app = createTestApp(clock);

async function auditReader(permissions = ["audit:read"]): Promise<ApiClient> {
  const user = await createActiveUser(clock, { role: "OPERATOR" });
  await grantPermissionsThroughGroup(user.id, permissions);
  return new ApiClient(app, await createApiTokenFor(await signInAs(app, clock, user)));
}

async function writeEvents(count: number): Promise<void> {
  const ctx = testContext(clock, testActor());
  for (let i = 0; i < count; i++) {
    await insertAuditEvent(ctx, {
      action: "tenant.updated",
      target: { type: "tenant", id: `ten_${i}`, label: `Tenant ${i}` },
      details: { round: i },
    });
  }
}

async function sealNow(): Promise<Checkpoint> {
  const ctx = testContext(clock);
  await sequenceAuditLog(ctx, 100);
  const checkpoint = await sealCheckpoint(ctx);
  if (!checkpoint) throw new Error("nothing sealed");
  return checkpoint;
}

async function lastEventId(): Promise<number> {
  return Number((await rawDb.prepare("SELECT max(id) AS id FROM audit_events").first<{ id: number }>())?.id);
}

let api: ApiClient;
beforeEach(async () => {
  api = await auditReader();
});

describe("GET /api/v1/audit/checkpoints", () => {
  it("lists signed checkpoints newest first, a page at a time", async () => {
    await writeEvents(3);
    const older = await sealNow();
    await writeEvents(2);
    clock.advanceSeconds(60);
    const newer = await sealNow();
    const first = await api.expectJson<{ items: Array<{ treeSize: number }>; nextCursor: string | null }>(
      "GET",
      "/api/v1/audit/checkpoints?limit=1",
      undefined,
      200,
    );
    expect(first.items).toEqual([
      {
        treeSize: newer.treeSize,
        rootHash: newer.rootHash,
        lastEventId: newer.lastEventId,
        keyId: "5499103f",
        sealedAt: newer.sealedAt.toISOString(),
        signedNote: newer.signedNote,
      },
    ]);
    expect(first.nextCursor).toBe(String(newer.treeSize));
    const second = await api.expectJson<{ items: Array<{ treeSize: number }> }>(
      "GET",
      `/api/v1/audit/checkpoints?limit=1&before=${first.nextCursor}`,
      undefined,
      200,
    );
    expect(second.items.map((item) => item.treeSize)).toEqual([older.treeSize]);
  });

  it("answers the newest checkpoint as JSON, or as its signed note verbatim for Accept: text/plain", async () => {
    await writeEvents(2);
    const checkpoint = await sealNow();
    const json = await api.expectJson("GET", "/api/v1/audit/checkpoints/latest", undefined, 200);
    expect(json).toMatchObject({ treeSize: checkpoint.treeSize, signedNote: checkpoint.signedNote });
    const text = await api.call("GET", "/api/v1/audit/checkpoints/latest", undefined, { accept: "text/plain" });
    expect(text.status, await summarizeResponse(text.clone())).toBe(200);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const note = await text.text();
    expect(note).toBe(checkpoint.signedNote);
    expect(note.split("\n").slice(0, 3)).toEqual([
      "gatehouse.test/audit",
      String(checkpoint.treeSize),
      encodeBase64(await referenceRoot(await sequencedLeafHashes(clock))),
    ]);
  });

  it("answers a checkpoint by its tree size, 404 for a size never sealed and 400 for one that is not a number", async () => {
    await writeEvents(2);
    const checkpoint = await sealNow();
    const bySize = await api.call("GET", `/api/v1/audit/checkpoints/${checkpoint.treeSize}`, undefined, {
      accept: "text/plain",
    });
    expect(await bySize.text()).toBe(checkpoint.signedNote);
    const missing = await api.call("GET", `/api/v1/audit/checkpoints/${checkpoint.treeSize + 1}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await api.call("GET", "/api/v1/audit/checkpoints/abc")).status).toBe(400);
    expect((await api.call("GET", "/api/v1/audit/checkpoints?limit=0")).status).toBe(400);
  });
});

describe("GET /api/v1/audit-events/:id/proof", () => {
  it("answers the tlog-proof text whose path is RFC 9162's PATH and whose checkpoint is the newest", async () => {
    await writeEvents(6);
    const eventId = (await lastEventId()) - 3;
    const checkpoint = await sealNow();
    const response = await api.call("GET", `/api/v1/audit-events/${eventId}/proof`);
    expect(response.status, await summarizeResponse(response.clone())).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const proof = parseTlogProof(await response.text());
    const leaf = await rawDb.prepare("SELECT leaf_index FROM audit_leaves WHERE event_id = ?").bind(eventId).first();
    expect(proof.index).toBe(leaf?.leaf_index);
    expect(proof.path).toEqual(await referencePath(proof.index, await sequencedLeafHashes(clock)));
    expect(proof.checkpoint).toBe(checkpoint.signedNote);
  });

  it("answers JSON for Accept: application/json, against an earlier checkpoint when treeSize names one", async () => {
    await writeEvents(3);
    const earlier = await sealNow();
    const eventId = earlier.lastEventId;
    await writeEvents(4);
    await sealNow();
    const body = await api.call(
      "GET",
      `/api/v1/audit-events/evt_${eventId}/proof?treeSize=${earlier.treeSize}`,
      undefined,
      {
        accept: "application/json",
      },
    );
    expect(body.status, await summarizeResponse(body.clone())).toBe(200);
    const json = await body.json<{ eventId: number; leafIndex: number; treeSize: number; proof: string }>();
    expect(json).toMatchObject({ eventId, leafIndex: earlier.treeSize - 1, treeSize: earlier.treeSize });
    const proof = parseTlogProof(json.proof);
    expect(proof.path).toEqual(await referencePath(json.leafIndex, await sequencedLeafHashes(clock, earlier.treeSize)));
    expect(proof.checkpoint).toBe(earlier.signedNote);
  });

  it("answers 409 for an event no checkpoint covers yet, and 400 for an id that is not one", async () => {
    await writeEvents(1);
    await sealNow();
    await writeEvents(1);
    const pending = await api.call("GET", `/api/v1/audit-events/${await lastEventId()}/proof`);
    expect(pending.status).toBe(409);
    expect(pending.headers.get("content-type")).toBe("application/problem+json");
    expect((await pending.json<{ detail: string }>()).detail).toContain("pending");
    expect((await api.call("GET", "/api/v1/audit-events/usr_1/proof")).status).toBe(400);
    expect((await api.call("GET", "/api/v1/audit-events/1/proof?treeSize=x")).status).toBe(400);
  });
});

describe("GET /api/v1/audit/consistency", () => {
  it("answers RFC 9162's PROOF(m, D[n]) with both roots, up to the newest checkpoint when to is left out", async () => {
    await writeEvents(5);
    const from = await sealNow();
    await writeEvents(9);
    const to = await sealNow();
    const leaves = await sequencedLeafHashes(clock, to.treeSize);
    const expected = {
      fromSize: from.treeSize,
      toSize: to.treeSize,
      fromRoot: from.rootHash,
      toRoot: to.rootHash,
      proof: await referenceConsistency(from.treeSize, leaves),
    };
    expect(
      await api.expectJson("GET", `/api/v1/audit/consistency?from=${from.treeSize}&to=${to.treeSize}`, undefined, 200),
    ).toEqual(expected);
    expect(await api.expectJson("GET", `/api/v1/audit/consistency?from=${from.treeSize}`, undefined, 200)).toEqual(
      expected,
    );
    const backwards = await api.call("GET", `/api/v1/audit/consistency?from=${to.treeSize}&to=${from.treeSize}`);
    expect(backwards.status).toBe(400);
    expect((await api.call("GET", "/api/v1/audit/consistency")).status).toBe(400);
  });
});

describe("who may read the log", () => {
  const paths = [
    "/api/v1/audit/checkpoints",
    "/api/v1/audit/checkpoints/latest",
    "/api/v1/audit/checkpoints/1",
    "/api/v1/audit/consistency?from=1",
    "/api/v1/audit-events/1/proof",
  ];

  it("refuses a caller without audit:read (403) and one without credentials (401)", async () => {
    await writeEvents(1);
    await sealNow();
    const other = await auditReader(["users:read"]);
    for (const path of paths) {
      const refused = await other.call("GET", path);
      expect(refused.status, `${path}: ${await summarizeResponse(refused)}`).toBe(403);
      const anonymous = await app.request(`${origin}${path}`, {}, env);
      expect(anonymous.status, path).toBe(401);
    }
  });

  it("publishes the verifier keys to anyone at /.well-known/gatehouse-audit-keys, cacheable for 5 minutes", async () => {
    const response = await app.request(`${origin}/.well-known/gatehouse-audit-keys`, {}, env);
    expect(response.status, await summarizeResponse(response.clone())).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toBe(`${testVerifierKey}\n`);
  });

  it("without AUDIT_SIGNING_KEYS: the key list says so (503) and an export is refused before it is recorded", async () => {
    const withoutKey = { ...env, AUDIT_SIGNING_KEYS: undefined };
    const keys = await app.request(`${origin}/.well-known/gatehouse-audit-keys`, {}, withoutKey);
    expect(keys.status).toBe(503);
    expect(await keys.text()).toContain("no audit log signing key configured (AUDIT_SIGNING_KEYS)");
    const admin = await createActiveUser(clock, { role: "SUPER_ADMIN" });
    const agent = await signInAs(app, clock, admin);
    const exportsBefore = await rawDb
      .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'audit.exported'")
      .first<{ n: number }>();
    const refused = await app.request(
      `${origin}/admin/audit/export.csv`,
      { headers: { cookie: agent.cookieHeader() } },
      withoutKey,
    );
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("set AUDIT_SIGNING_KEYS");
    expect(
      await rawDb
        .prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'audit.exported'")
        .first<{ n: number }>(),
    ).toEqual(exportsBefore);
  });
});
