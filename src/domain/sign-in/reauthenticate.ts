// Proving it is really you again, inside a session: password + a TOTP code, for the step-up
// before sensitive admin actions and for regenerating recovery codes. Same throttle and the same
// replay rule as sign-in: the returned statements claim the TOTP step and must run in the same
// batch as the action, so the code cannot be used twice.
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { verifyPassword } from "../../auth/password";
import { accountThrottleKey } from "../../auth/throttle";
import { findTotpStep } from "../../auth/totp";
import type { Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow } from "../../db/guards";
import { users } from "../../db/schema";
import { AppError } from "../../errors";
import type { Principal } from "../access";
import type { DomainContext } from "../context";
import type { UserRow } from "../users/users";
import { selectActiveSuperAdmins } from "../users/users-list";
import { checkAccountThrottle, recordSignInFailure, selectAccountThrottles } from "./sign-in-failures";

export interface Reauthentication {
  user: UserRow;
  claimStatements: Statement[];
}

/**
 * The caller's own row (with the password hash and TOTP state the principal does not carry), the
 * throttles of their account and client address, and a few other super admins (whom a security
 * notice names), in one batch; THROTTLED while either throttle is locked.
 */
export async function readOwnAccount(ctx: DomainContext, principal: Principal) {
  const throttleKey = accountThrottleKey(principal.user.email);
  const [userRows, throttles, superAdmins] = await ctx.db.batch([
    ctx.db.select().from(users).where(eq(users.id, principal.user.id)).limit(1),
    selectAccountThrottles(ctx, throttleKey),
    selectActiveSuperAdmins(ctx.db, 4),
  ]);
  const user = userRows[0];
  if (!user?.passwordHash) throw new AppError("UNAUTHENTICATED");
  const accountRow = checkAccountThrottle(throttles, throttleKey, ctx.now);
  const administrators = superAdmins.filter((admin) => admin.email !== user.email).slice(0, 3);
  return { user: user as UserRow & { passwordHash: string }, throttleKey, accountRow, administrators };
}

export async function reauthenticate(
  ctx: DomainContext,
  principal: Principal,
  input: { password: string; code: string },
): Promise<Reauthentication> {
  const { user, throttleKey, accountRow } = await readOwnAccount(ctx, principal);
  if (!user.totpSecret) throw new AppError("UNAUTHENTICATED");
  const passwordMatches = await verifyPassword(user.passwordHash, input.password);
  const step = passwordMatches ? findTotpStep(user.totpSecret, input.code, ctx.now, user.totpLastStep) : null;
  if (!passwordMatches || step === null) {
    await recordSignInFailure(ctx, {
      email: user.email,
      user,
      factor: passwordMatches ? "totp" : "password",
      throttleKey,
      accountRow,
      reason: "reauthentication",
    });
    throw new AppError("VALIDATION_FAILED", {
      detail: "The password or the code is not right.",
      fieldErrors: [
        {
          field: passwordMatches ? "code" : "password",
          message: passwordMatches ? "That code is not right." : "That password is not right.",
        },
      ],
    });
  }
  return {
    user,
    claimStatements: [
      ctx.db
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step)))),
      assertPreviousWriteChangedOneRow(ctx.db),
    ],
  };
}
