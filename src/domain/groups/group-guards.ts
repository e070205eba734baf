// Who may change which access group, and whose groups (docs/PRODUCT.md §1, §9). The model:
// - nobody grants a permission they do not hold: a group's new permission set must lie within the
//   actor's own;
// - a group that holds a permission the actor lacks is out of the actor's reach altogether (rename,
//   permissions, members, deletion): changing its members would hand out or take away what the
//   actor does not hold;
// - to add someone to a group or take them out, the actor must hold every permission that person
//   holds, and only a SUPER_ADMIN touches a SUPER_ADMIN; CLIENT_USER accounts never join a group.
// Each rule is checked up front for a clear message, and again as SQL guards inside the write's
// batch, so a permission granted or a role changed meanwhile cannot slip through.

import { sql } from "drizzle-orm";
import type { Statement } from "../../db/batch";
import { assertCondition } from "../../db/guards";
import { jsonList } from "../../db/json-list";
import { AppError } from "../../errors";
import type { Permission } from "../access";
import type { DomainContext } from "../context";
import { permissionsBeyondActor, restrictedPermissionsOf } from "../users/permissions-of";

export function assertMayGrant(ctx: DomainContext, permissions: Iterable<Permission>): void {
  const missing = permissionsBeyondActor(ctx, permissions);
  if (missing.length === 0) return;
  const message = `You cannot grant permissions you do not hold: ${missing.join(", ")}.`;
  throw new AppError("FORBIDDEN", { detail: message, fieldErrors: [{ field: "permissions", message }] });
}

export function assertMayChangeGroup(
  ctx: DomainContext,
  group: { name: string; permissions: readonly Permission[] },
): void {
  const missing = permissionsBeyondActor(ctx, group.permissions);
  if (missing.length === 0) return;
  throw new AppError("FORBIDDEN", {
    detail: `The group "${group.name}" holds permissions you do not hold (${missing.join(", ")}); only someone who holds them can change it or its members.`,
  });
}

export interface GroupCandidate {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: string;
  permissions: ReadonlySet<Permission>;
}

/** Why the actor may not add `person` to groups (adding) or change their groups at all; null when they may. */
export function refusalToChangeGroupsOf(ctx: DomainContext, person: GroupCandidate, adding: boolean): AppError | null {
  const who = `${person.firstName} ${person.lastName} (${person.email})`;
  if (adding && person.role === "CLIENT_USER") {
    return new AppError("CLIENT_USER_CANNOT_JOIN_GROUPS", {
      detail: `${who} is a Client user; client accounts never hold console permissions. Use tenant memberships instead.`,
    });
  }
  if (person.role === "SUPER_ADMIN" && restrictedPermissionsOf(ctx) !== null) {
    return new AppError("FORBIDDEN", {
      detail: `Only a Super admin can change the access groups of a Super admin (${who}).`,
    });
  }
  const missing = permissionsBeyondActor(ctx, person.permissions);
  if (missing.length > 0) {
    return new AppError("FORBIDDEN", {
      detail: `To change the access groups of ${who} you must hold every permission they hold; you lack ${missing.join(", ")}.`,
    });
  }
  return null;
}

export function assertMayChangeGroupsOf(ctx: DomainContext, person: GroupCandidate, adding: boolean): void {
  const refusal = refusalToChangeGroupsOf(ctx, person, adding);
  if (refusal) throw refusal;
}

/** Guards: the group still exists and still holds nothing the actor lacks. */
export function guardGroupInReach(ctx: DomainContext, groupId: string): Statement[] {
  const held = restrictedPermissionsOf(ctx);
  const statements: Statement[] = [
    assertCondition(ctx.db, sql`EXISTS (SELECT 1 FROM access_groups WHERE id = ${groupId})`),
  ];
  if (held !== null) {
    const beyond = sql`SELECT 1 FROM access_group_permissions AS p WHERE p.group_id = ${groupId} AND p.permission NOT IN ${jsonList(held)}`;
    statements.push(assertCondition(ctx.db, sql`NOT EXISTS (${beyond})`));
  }
  return statements;
}

/** Guards: the people still hold nothing the actor lacks, are no SUPER_ADMIN (unless the actor is one), and none added is a CLIENT_USER. */
export function guardPeopleInReach(ctx: DomainContext, userIds: string[], addedUserIds: string[]): Statement[] {
  const held = restrictedPermissionsOf(ctx);
  const statements: Statement[] = [];
  if (addedUserIds.length > 0) {
    const clients = sql`SELECT 1 FROM users WHERE id IN ${jsonList(addedUserIds)} AND role = 'CLIENT_USER'`;
    statements.push(assertCondition(ctx.db, sql`NOT EXISTS (${clients})`));
  }
  if (held === null || userIds.length === 0) return statements;
  const ids = jsonList(userIds);
  const beyond = sql`SELECT 1 FROM access_group_members AS m JOIN access_group_permissions AS p ON p.group_id = m.group_id
    WHERE m.user_id IN ${ids} AND p.permission NOT IN ${jsonList(held)}`;
  statements.push(
    assertCondition(ctx.db, sql`NOT EXISTS (${beyond})`),
    assertCondition(ctx.db, sql`NOT EXISTS (SELECT 1 FROM users WHERE id IN ${ids} AND role = 'SUPER_ADMIN')`),
  );
  return statements;
}
