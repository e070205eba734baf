// Who already holds what a POST /scim/v2/Users sends, and what follows from it (docs/PRODUCT.md
// §7c): one read batch (the email's user and link, the userName's link and user in this directory,
// their memberships and groups), then a pure decision: create, adopt, relink, or taken.
import { and, eq, sql } from "drizzle-orm";
import { directoryUsers, memberships, users } from "../../db/schema";
import type { UserRow } from "../users/users";
import type { DirectoryContext } from "./scim-caller";
import type { ScimUserInput } from "./scim-user-resource";
import { type LinkRow, selectGroupsOf } from "./scim-user-writes";

export interface Candidate {
  user: UserRow;
  /** Memberships in another tenant (revoked or not), and live ones in the directory's tenant. */
  membershipsElsewhere: number;
  liveMembershipsHere: number;
  /** This directory's groups they are still in (a relinked user keeps theirs). */
  groups: Array<{ id: string; displayName: string }>;
}

export type ProvisioningDecision =
  | { kind: "create" }
  | { kind: "adopt"; candidate: Candidate }
  | { kind: "relink"; candidate: Candidate; link: LinkRow }
  | { kind: "taken" };

export interface ProvisioningFacts {
  emailUser: Candidate | null;
  emailLink: LinkRow | null;
  nameUser: Candidate | null;
  nameLink: LinkRow | null;
}

/** Whether a user is of the kind this directory holds: never a SUPER_ADMIN, never staff in a client directory or the reverse. */
function fitsDirectory(ctx: DirectoryContext, candidate: Candidate): boolean {
  if (candidate.user.erasedAt) return false;
  if (ctx.actor.directory.tenant) return candidate.user.role === "CLIENT_USER" && candidate.membershipsElsewhere === 0;
  return candidate.user.role === "OPERATOR" || candidate.user.role === "CONTRACTOR";
}

export function decideProvisioning(ctx: DirectoryContext, facts: ProvisioningFacts): ProvisioningDecision {
  const { emailUser, emailLink, nameUser, nameLink } = facts;
  if (nameLink) {
    const sameUser = nameUser && (!emailUser || emailUser.user.id === nameUser.user.id);
    if (nameLink.deletedAt && sameUser && fitsDirectory(ctx, nameUser)) {
      return { kind: "relink", candidate: nameUser, link: nameLink };
    }
    return { kind: "taken" };
  }
  if (!emailUser) return { kind: "create" };
  if (!fitsDirectory(ctx, emailUser)) return { kind: "taken" };
  if (!emailLink) return { kind: "adopt", candidate: emailUser };
  const deletedHere = emailLink.directoryId === ctx.actor.directory.id && emailLink.deletedAt;
  return deletedHere ? { kind: "relink", candidate: emailUser, link: emailLink } : { kind: "taken" };
}

/** One batch: who holds the email, who holds the userName in this directory, their memberships and groups. */
export async function readProvisioningFacts(ctx: DirectoryContext, input: ScimUserInput): Promise<ProvisioningFacts> {
  const directoryId = ctx.actor.directory.id;
  const tenantId = ctx.actor.directory.tenant?.id ?? "";
  const emailUserId = sql`(SELECT id FROM users WHERE email = ${input.email})`;
  const nameUserId = sql`(SELECT user_id FROM directory_users WHERE directory_id = ${directoryId} AND user_name_key = ${input.userNameKey})`;
  const [emailUsers, emailLinks, nameLinks, nameUsers, facts, groupRows] = await ctx.db.batch([
    ctx.db.select().from(users).where(eq(users.email, input.email)).limit(1),
    ctx.db.select().from(directoryUsers).where(eq(directoryUsers.userId, emailUserId)).limit(1),
    ctx.db
      .select()
      .from(directoryUsers)
      .where(and(eq(directoryUsers.directoryId, directoryId), eq(directoryUsers.userNameKey, input.userNameKey)))
      .limit(1),
    ctx.db.select().from(users).where(eq(users.id, nameUserId)).limit(1),
    ctx.db
      .select({
        userId: memberships.userId,
        elsewhere: sql<number>`sum(${memberships.tenantId} != ${tenantId})`,
        liveHere: sql<number>`sum(${memberships.tenantId} = ${tenantId} AND ${memberships.revokedAt} IS NULL)`,
      })
      .from(memberships)
      .where(sql`${memberships.userId} IN (${emailUserId}, ${nameUserId})`)
      .groupBy(memberships.userId),
    selectGroupsOf(ctx, sql`(${emailUserId}, ${nameUserId})`),
  ]);
  const candidate = (user: UserRow | undefined): Candidate | null => {
    if (!user) return null;
    const counts = facts.find((row) => row.userId === user.id);
    return {
      user,
      membershipsElsewhere: Number(counts?.elsewhere ?? 0),
      liveMembershipsHere: Number(counts?.liveHere ?? 0),
      groups: groupRows.filter((row) => row.userId === user.id),
    };
  };
  return {
    emailUser: candidate(emailUsers[0]),
    emailLink: emailLinks[0] ?? null,
    nameUser: candidate(nameUsers[0]),
    nameLink: nameLinks[0] ?? null,
  };
}
