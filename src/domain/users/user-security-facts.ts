// Facts for a user's Security tab: how many live sessions they have, whether sign-in is locked, the
// directory that holds them (the header says so) and their sign-in factors, read in one batch.
import { and, eq, gt } from "drizzle-orm";
import { isSessionLive } from "../../auth/session";
import { accountThrottleKey, findThrottleDelaySeconds, selectThrottles } from "../../auth/throttle";
import { sessions } from "../../db/schema";
import type { DomainContext } from "../context";
import { selectOwningDirectory } from "../directories/directory-ownership";
import { selectUserFactors, toUserFactors } from "./user-factors";
import type { UserRow } from "./users";

export async function findUserSecurityFacts(ctx: DomainContext, user: UserRow) {
  const [sessionRows, throttles, ownerRows, ...factorRows] = await ctx.db.batch([
    ctx.db
      .select({ lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
      .from(sessions)
      .where(and(eq(sessions.userId, user.id), gt(sessions.expiresAt, ctx.now))),
    selectThrottles(ctx.db, [accountThrottleKey(user.email)]),
    selectOwningDirectory(ctx.db, user.id),
    ...selectUserFactors(ctx.db, user.id),
  ]);
  return {
    sessionCount: sessionRows.filter((row) => isSessionLive(row, ctx.now)).length,
    locked: findThrottleDelaySeconds(throttles, ctx.now) > 0,
    ownedBy: ownerRows[0] ?? null,
    factors: toUserFactors(user, factorRows),
  };
}
