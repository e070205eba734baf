// The reach rules are checked up front and again inside the write's batch; these tests prove the
// in-batch guards catch what changed between the check and the write.

import { describe, expect, it } from "vitest";
import { runBatch } from "../../../src/db/batch";
import { isBatchGuardFailure } from "../../../src/db/guards";
import { accessGroups } from "../../../src/db/schema";
import type { Permission } from "../../../src/domain/access";
import { guardGroupInReach, guardPeopleInReach } from "../../../src/domain/groups/group-guards";
import { addGroupMembers } from "../../../src/domain/groups/group-members";
import { createGroup } from "../../../src/domain/groups/groups";
import { TestClock } from "../../helpers/clock";
import { createActiveUser, testContext, testPrincipal } from "../../helpers/factories";
import { createTestGroup, uniqueGroupName } from "../../helpers/groups";
import { rawDb } from "../../helpers/store";

function operatorActor(clock: TestClock, permissions: Permission[]) {
  return testContext(clock, { kind: "user", principal: testPrincipal(clock, "OPERATOR", permissions) });
}

async function batchOutcome(statements: Parameters<typeof runBatch>[1]): Promise<"committed" | "aborted"> {
  try {
    await runBatch(testContext(new TestClock()).db, statements);
    return "committed";
  } catch (error) {
    if (isBatchGuardFailure(error)) return "aborted";
    throw error;
  }
}

describe("group guards inside the batch", () => {
  it("abort a change when the group gained a permission the actor lacks after the check", async () => {
    const clock = new TestClock();
    const ctx = operatorActor(clock, ["groups:update", "users:read"]);
    const group = await createTestGroup(clock, ["users:read"]);
    const marker = uniqueGroupName("Marker");
    const write = () =>
      ctx.db.insert(accessGroups).values({
        id: `grp_${crypto.randomUUID().slice(0, 8)}`,
        name: marker,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      });
    expect(await batchOutcome([...guardGroupInReach(ctx, group.id), write()])).toBe("committed");
    await rawDb
      .prepare("INSERT INTO access_group_permissions (group_id, permission) VALUES (?, 'audit:read')")
      .bind(group.id)
      .run();
    expect(await batchOutcome([...guardGroupInReach(ctx, group.id), write()])).toBe("aborted");
    expect(await batchOutcome([...guardGroupInReach(ctx, "grp_gone"), write()])).toBe("aborted");
    expect(
      (
        await rawDb
          .prepare("SELECT count(*) AS n FROM access_groups WHERE name = ?")
          .bind(marker)
          .first<{ n: number }>()
      )?.n,
    ).toBe(1);
  });

  it("abort a change when a person became stronger than the actor, a SUPER_ADMIN or a CLIENT_USER meanwhile", async () => {
    const clock = new TestClock();
    const ctx = operatorActor(clock, ["groups:update", "users:read"]);
    const person = await createActiveUser(clock);
    expect(await batchOutcome(guardPeopleInReach(ctx, [person.id], [person.id]))).toBe("committed");
    await addGroupMembers(testContext(clock), "grp_readonly_auditor", [person.id]);
    expect(await batchOutcome(guardPeopleInReach(ctx, [person.id], []))).toBe("aborted");
    const promoted = await createActiveUser(clock);
    await rawDb.prepare("UPDATE users SET role = 'SUPER_ADMIN' WHERE id = ?").bind(promoted.id).run();
    expect(await batchOutcome(guardPeopleInReach(ctx, [promoted.id], []))).toBe("aborted");
    const demoted = await createActiveUser(clock);
    await rawDb.prepare("UPDATE users SET role = 'CLIENT_USER' WHERE id = ?").bind(demoted.id).run();
    expect(await batchOutcome(guardPeopleInReach(testContext(clock), [demoted.id], [demoted.id]))).toBe("aborted");
    expect(await batchOutcome(guardPeopleInReach(testContext(clock), [demoted.id], []))).toBe("committed");
  });

  it("lets exactly one of two concurrent creations of the same name win, with one audit event", async () => {
    const clock = new TestClock();
    const name = uniqueGroupName("Race");
    const attempts = await Promise.allSettled(
      [name, name.toUpperCase()].map((candidate) =>
        createGroup(testContext(clock), { name: candidate, description: "", permissions: [] }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const rejected = attempts.find((a) => a.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: "GROUP_NAME_TAKEN" });
    const events = await rawDb
      .prepare(
        "SELECT count(*) AS n FROM audit_events WHERE action = 'group.created' AND lower(target_label) = lower(?)",
      )
      .bind(name)
      .first<{ n: number }>();
    expect(events?.n).toBe(1);
  });
});
