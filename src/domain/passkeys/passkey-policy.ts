// The passkey policy (docs/PASSKEYS.md "The policy"): which global roles must sign in with a
// passkey, and who under it has none yet. Only a SUPER_ADMIN changes it, with a recent sign-in.
// A change is written as the difference from the roles the Super admin saw, in one batch guarded
// on the table still holding exactly those roles: of two admins saving at once (or one saving a
// page opened before another's change), the second gets 409 instead of silently undoing the first.
import { and, asc, count, eq, exists, inArray, isNotNull, isNull, not, sql } from "drizzle-orm";
import * as z from "zod";
import { runBatch } from "../../db/batch";
import type { Db } from "../../db/client";
import { assertCondition, isBatchGuardFailure } from "../../db/guards";
import { type GlobalRole, globalRoles, passkeyRequiredRoles, passkeys, users } from "../../db/schema";
import { AppError } from "../../errors";
import { authorize } from "../access";
import { insertAuditEvent } from "../audit/audit";
import { actorUserId, type DomainContext } from "../context";
import { assertRecentSignIn } from "../users/user-security";
import { selectPasskeyRequiredRoles } from "./passkeys-read";

/** How many of the people not yet compliant the policy page lists (the count covers them all). */
export const nonCompliantListLimit = 50;

/** A set of global roles as a form or a caller sends it; repeats collapse, the order is the roles' own. */
export const passkeyPolicyRolesSchema = z
  .array(z.enum(globalRoles, "Choose among the global roles."))
  .max(globalRoles.length * 2, "Choose each role at most once.")
  .transform(sortRoles);

function sortRoles(roles: readonly GlobalRole[]): GlobalRole[] {
  return globalRoles.filter((role) => roles.includes(role));
}

function assertMayChangePolicy(ctx: DomainContext): void {
  const decision = authorize(ctx.actor.kind === "user" ? ctx.actor.principal : null, { kind: "instance-admin" });
  if (decision.allowed) return;
  if (decision.passkeyEnrolmentRequired) throw new AppError("PASSKEY_ENROLMENT_REQUIRED");
  throw new AppError("FORBIDDEN", { detail: "Only a Super admin can change or read the sign-in policy." });
}

/** True while the table holds exactly `roles`: a condition for assertCondition, with the list as one JSON parameter. */
function holdsExactly(roles: readonly GlobalRole[]) {
  const held = sql`(SELECT count(*) FROM ${passkeyRequiredRoles})`;
  const listed = sql`(SELECT count(*) FROM ${passkeyRequiredRoles} WHERE ${passkeyRequiredRoles.role} IN (SELECT value FROM json_each(${JSON.stringify(roles)})))`;
  return sql`${held} = ${roles.length} AND ${listed} = ${roles.length}`;
}

export interface PasskeyPolicyChange {
  added: GlobalRole[];
  removed: GlobalRole[];
  requiredRoles: GlobalRole[];
}

/**
 * Requires passkeys for exactly `roles`. `seen` is the set the caller based the change on (the
 * page as it was shown); without it, the set read now. Nothing is written, and no event, when
 * nothing changes.
 */
export async function setPasskeyRequiredRoles(
  ctx: DomainContext,
  roles: readonly GlobalRole[],
  seen?: readonly GlobalRole[],
): Promise<PasskeyPolicyChange> {
  assertMayChangePolicy(ctx);
  assertRecentSignIn(ctx);
  const wanted = sortRoles(roles);
  const before = sortRoles(seen ?? (await selectPasskeyRequiredRoles(ctx.db)).map((row) => row.role));
  const added = wanted.filter((role) => !before.includes(role));
  const removed = before.filter((role) => !wanted.includes(role));
  if (added.length === 0 && removed.length === 0) return { added, removed, requiredRoles: wanted };
  try {
    await runBatch(ctx.db, [
      assertCondition(ctx.db, holdsExactly(before)),
      ...(removed.length > 0
        ? [ctx.db.delete(passkeyRequiredRoles).where(inArray(passkeyRequiredRoles.role, removed))]
        : []),
      ...(added.length > 0
        ? [
            ctx.db
              .insert(passkeyRequiredRoles)
              .values(added.map((role) => ({ role, requiredAt: ctx.now, requiredBy: actorUserId(ctx.actor) }))),
          ]
        : []),
      insertAuditEvent(ctx, { action: "policy.passkey_requirement_changed", details: { added, removed } }),
    ]);
  } catch (error) {
    if (isBatchGuardFailure(error))
      throw new AppError("STATE_CONFLICT", {
        detail:
          "Another Super admin changed the sign-in policy meanwhile. It is shown as it stands now: make your change again.",
      });
    throw error;
  }
  return { added, removed, requiredRoles: wanted };
}

/** Active people (they can sign in) whose global role the policy names and who hold no usable passkey. */
function nonCompliantCondition(db: Db) {
  return and(
    inArray(users.role, db.select({ role: passkeyRequiredRoles.role }).from(passkeyRequiredRoles)),
    isNotNull(users.activatedAt),
    isNull(users.deactivatedAt),
    isNull(users.erasedAt),
    not(
      exists(
        db
          .select({ one: sql`1` })
          .from(passkeys)
          .where(and(eq(passkeys.userId, users.id), isNull(passkeys.pendingSetupTokenHash))),
      ),
    ),
  );
}

/** The policy page: the roles required, and the first people not yet compliant with their count; one batch. */
export async function readPasskeyPolicyPage(ctx: DomainContext) {
  assertMayChangePolicy(ctx);
  const [roleRows, people, totals] = await ctx.db.batch([
    selectPasskeyRequiredRoles(ctx.db),
    ctx.db
      .select({
        id: users.id,
        firstName: users.firstName,
        lastName: users.lastName,
        email: users.email,
        role: users.role,
      })
      .from(users)
      .where(nonCompliantCondition(ctx.db))
      .orderBy(asc(users.lastName), asc(users.firstName), asc(users.id))
      .limit(nonCompliantListLimit),
    ctx.db.select({ value: count() }).from(users).where(nonCompliantCondition(ctx.db)),
  ]);
  return {
    requiredRoles: sortRoles(roleRows.map((row) => row.role)),
    nonCompliant: { people, total: totals[0]?.value ?? 0 },
  };
}

export type PasskeyPolicyPage = Awaited<ReturnType<typeof readPasskeyPolicyPage>>;
