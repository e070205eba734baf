// What a directory's groups mean (docs/PRODUCT.md §8 "Directory groups"), recomputed in set form
// for the people a change touches, in the same batch as the change:
// - a client directory: the membership role in its tenant is CLIENT_ADMIN for a member of any group
//   mapped to CLIENT_ADMIN, CLIENT_VIEWER otherwise;
// - the staff directory: the global role is CONTRACTOR for a member of any group mapped to
//   CONTRACTOR, OPERATOR otherwise. A SUPER_ADMIN (or anyone not OPERATOR/CONTRACTOR) is never
//   touched. A change to CONTRACTOR that a membership without expiry forbids is not made: the old
//   role stays and the directory's page shows why (directory_errors), the SCIM request succeeds;
// - a staff group linked to an access group keeps that access group's members equal to its own
//   (OPERATORs and CONTRACTORs only: a SUPER_ADMIN is never added nor removed, a CLIENT_USER never joins).
// Only users linked to the directory and not deleted from it count as members. Every change is
// audited with the directory as the actor, from the same rows the change touches (INSERT … SELECT
// placed just before it).
import { type SQL, sql } from "drizzle-orm";
import { runBatch, type Statement } from "../../db/batch";
import { jsonList } from "../../db/json-list";
import { accessGroupMembers, directoryErrors, memberships, users } from "../../db/schema";
import type { ServicePrincipal } from "../access";
import { insertAuditEventsSelect, userLabelSql } from "../audit/audit";
import type { DomainContext } from "../context";
import { trimDirectoryErrors } from "../scim/directory-errors";

export interface SyncedDirectory {
  id: string;
  name: string;
  scope: "staff" | "tenant";
  /** Set exactly for a client directory. */
  tenantId: string | null;
}

/**
 * A change to one group's members not yet written: the sync runs before the member rows change
 * (so the people a replace or a deletion takes out are still there to be found) and sees the group
 * as it will be. `removeAll` empties it first (PUT, replace, deletion), then `add` applies.
 */
export interface PendingGroupMembers {
  groupId: string;
  add: readonly string[];
  remove: readonly string[];
  removeAll: boolean;
}

/** The directory a SCIM request acts as, in the shape the sync takes. */
export function syncedDirectoryOf(directory: {
  id: string;
  name: string;
  scope: "staff" | "tenant";
  tenant: { id: string } | null;
}): SyncedDirectory {
  return { id: directory.id, name: directory.name, scope: directory.scope, tenantId: directory.tenant?.id ?? null };
}

/** The directory as the actor of what it causes: the service principal authorize() decides for. */
export function directoryActor(directory: SyncedDirectory): ServicePrincipal {
  return {
    kind: "service",
    service: {
      type: "scim_directory",
      id: directory.id,
      name: directory.name,
      scope: directory.tenantId ? { kind: "tenant", tenantId: directory.tenantId } : { kind: "staff" },
    },
  };
}

/** `(SELECT value FROM json_each(?))` of the ids: the people a change touches. */
export function touchedUsers(userIds: Iterable<string>): SQL {
  return jsonList(userIds);
}

/** The members of a group now, plus `also`: what a replace, a deletion or a mapping change touches. */
export function membersOfGroupAnd(groupId: string, also: SQL | null = null): SQL {
  const members = sql`SELECT user_id FROM directory_group_members WHERE group_id = ${groupId}`;
  return also ? sql`(${members} UNION SELECT * FROM ${also})` : sql`(${members})`;
}

class SyncSql {
  constructor(
    private readonly directory: SyncedDirectory,
    private readonly pending: PendingGroupMembers | null,
  ) {}

  /** The user is linked to this directory and not deleted from it. */
  linked(user: SQL): SQL {
    return sql`EXISTS (SELECT 1 FROM directory_users AS du WHERE du.user_id = ${user}
      AND du.directory_id = ${this.directory.id} AND du.deleted_at IS NULL)`;
  }

  /** The user is (or, with the pending change, will be) a member of the group, and linked. */
  isMember(user: SQL, group: SQL): SQL {
    const row = sql`EXISTS (SELECT 1 FROM directory_group_members AS dgm WHERE dgm.group_id = ${group} AND dgm.user_id = ${user})`;
    const pending = this.pending;
    if (!pending) return sql`(${row} AND ${this.linked(user)})`;
    const kept = pending.removeAll ? sql`0` : sql`(${user} NOT IN ${jsonList(pending.remove)} AND ${row})`;
    return sql`((CASE WHEN ${group} = ${pending.groupId} THEN (${user} IN ${jsonList(pending.add)} OR ${kept})
      ELSE ${row} END) AND ${this.linked(user)})`;
  }

  /** The user is in a group of this directory mapped to `role`. */
  inGroupMappedTo(user: SQL, role: string): SQL {
    return sql`EXISTS (SELECT 1 FROM directory_groups AS g WHERE g.directory_id = ${this.directory.id}
      AND g.mapped_role = ${role} AND ${this.isMember(user, sql`g.id`)})`;
  }

  /** The user is in a group of this directory linked to the access group. */
  inGroupLinkedTo(user: SQL, accessGroup: SQL): SQL {
    return sql`EXISTS (SELECT 1 FROM directory_groups AS g WHERE g.directory_id = ${this.directory.id}
      AND g.access_group_id = ${accessGroup} AND ${this.isMember(user, sql`g.id`)})`;
  }
}

/** The statements that bring the touched users' roles and access groups in line with the directory's groups. */
export function buildDirectorySyncStatements(
  ctx: DomainContext,
  directory: SyncedDirectory,
  touched: SQL,
  pending: PendingGroupMembers | null = null,
): Statement[] {
  const asDirectory: DomainContext = { ...ctx, actor: directoryActor(directory) };
  const q = new SyncSql(directory, pending);
  if (directory.scope === "tenant" && directory.tenantId) {
    return buildClientRoleStatements(asDirectory, directory.tenantId, q, touched);
  }
  return [
    ...buildStaffRoleStatements(asDirectory, directory, q, touched),
    ...buildAccessGroupStatements(asDirectory, directory, q, touched),
  ];
}

/** The role the directory's groups give a user: `mapped` for a member of a group mapped to it, else `otherwise`. */
function desiredRoleFor(q: SyncSql, mapped: string, otherwise: string) {
  const [then, orElse] = [sql.raw(`'${mapped}'`), sql.raw(`'${otherwise}'`)];
  return (user: SQL) => sql`(CASE WHEN ${q.inGroupMappedTo(user, mapped)} THEN ${then} ELSE ${orElse} END)`;
}

function buildClientRoleStatements(ctx: DomainContext, tenantId: string, q: SyncSql, touched: SQL): Statement[] {
  const desiredFor = desiredRoleFor(q, "CLIENT_ADMIN", "CLIENT_VIEWER");
  const desired = desiredFor(sql`m.user_id`);
  const unfit = sql`m.tenant_id = ${tenantId} AND m.revoked_at IS NULL AND m.role IN ('CLIENT_ADMIN', 'CLIENT_VIEWER')
    AND m.user_id IN ${touched} AND ${q.linked(sql`m.user_id`)} AND m.role != ${desired}`;
  return [
    insertAuditEventsSelect(ctx, {
      action: "membership.changed",
      targetType: "membership",
      targetId: sql`m.id`,
      targetLabel: sql`u.email || ' in ' || t.slug`,
      tenantId,
      detailKeys: ["role", "from", "reason"],
      details: sql`json_object('role', ${desired}, 'from', m.role, 'reason', 'directory_groups')`,
      from: sql`FROM memberships AS m JOIN users AS u ON u.id = m.user_id JOIN tenants AS t ON t.id = m.tenant_id WHERE ${unfit}`,
    }),
    ctx.db
      .update(memberships)
      .set({ role: sql`${desiredFor(sql`memberships.user_id`)}`, updatedAt: ctx.now })
      .where(sql`${memberships.id} IN (SELECT m.id FROM memberships AS m WHERE ${unfit})`),
  ];
}

function buildStaffRoleStatements(
  ctx: DomainContext,
  directory: SyncedDirectory,
  q: SyncSql,
  touched: SQL,
): Statement[] {
  const desiredFor = desiredRoleFor(q, "CONTRACTOR", "OPERATOR");
  const desired = desiredFor(sql`u.id`);
  const candidates = sql`u.id IN ${touched} AND u.role IN ('OPERATOR', 'CONTRACTOR') AND ${q.linked(sql`u.id`)} AND u.role != ${desired}`;
  // A contractor holds no membership without an expiry (memberships-rules.ts): such a change waits.
  const openEnded = sql`EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = u.id AND m.revoked_at IS NULL AND m.expires_at IS NULL)`;
  const blocked = sql`${candidates} AND u.role = 'OPERATOR' AND ${openEnded}`;
  const changing = sql`${candidates} AND NOT (u.role = 'OPERATOR' AND ${openEnded})`;
  const problem = sql`'Kept ' || u.email || ' as Operator: a group maps them to Contractor, who needs an expiry on every tenant membership. Set them; their next group change applies it.'`;
  return [
    ctx.db.insert(directoryErrors).select(sql`SELECT NULL, ${directory.id}, ${ctx.now.getTime()}, 'SYNC',
      '/Users/' || u.id, 409, NULL, ${problem} FROM users AS u WHERE ${blocked}`),
    trimDirectoryErrors(ctx.db, directory.id),
    insertAuditEventsSelect(ctx, {
      action: "user.role_changed",
      targetType: "user",
      targetId: sql`u.id`,
      targetLabel: userLabelSql("u"),
      tenantId: null,
      detailKeys: ["from", "to", "reason"],
      details: sql`json_object('from', u.role, 'to', ${desired}, 'reason', 'directory_groups')`,
      from: sql`FROM users AS u WHERE ${changing}`,
    }),
    ctx.db
      .update(users)
      .set({ role: sql`${desiredFor(sql`users.id`)}`, updatedAt: ctx.now })
      .where(sql`${users.id} IN (SELECT u.id FROM users AS u WHERE ${changing})`),
  ];
}

function buildAccessGroupStatements(
  ctx: DomainContext,
  directory: SyncedDirectory,
  q: SyncSql,
  touched: SQL,
): Statement[] {
  const linkedAccessGroups = sql`(SELECT access_group_id FROM directory_groups WHERE directory_id = ${directory.id} AND access_group_id IS NOT NULL)`;
  const leaving = sql`agm.user_id IN ${touched} AND agm.group_id IN ${linkedAccessGroups}
    AND u.role IN ('OPERATOR', 'CONTRACTOR') AND NOT ${q.inGroupLinkedTo(sql`u.id`, sql`agm.group_id`)}`;
  const joining = sql`FROM directory_groups AS lg JOIN users AS u ON u.id IN ${touched}
    WHERE lg.directory_id = ${directory.id} AND lg.access_group_id IS NOT NULL
    AND u.role IN ('OPERATOR', 'CONTRACTOR') AND ${q.isMember(sql`u.id`, sql`lg.id`)}
    AND NOT EXISTS (SELECT 1 FROM access_group_members AS agm WHERE agm.group_id = lg.access_group_id AND agm.user_id = u.id)`;
  const groupDetails = sql`json_object('groupId', ag.id, 'groupName', ag.name, 'reason', 'directory_group_link')`;
  return [
    insertAuditEventsSelect(ctx, {
      action: "group.member_removed",
      targetType: "user",
      targetId: sql`u.id`,
      targetLabel: userLabelSql("u"),
      tenantId: null,
      detailKeys: ["groupId", "groupName", "reason"],
      details: groupDetails,
      from: sql`FROM access_group_members AS agm JOIN users AS u ON u.id = agm.user_id
        JOIN access_groups AS ag ON ag.id = agm.group_id WHERE ${leaving}`,
    }),
    ctx.db.delete(accessGroupMembers).where(sql`rowid IN (SELECT agm.rowid FROM access_group_members AS agm
      JOIN users AS u ON u.id = agm.user_id WHERE ${leaving})`),
    insertAuditEventsSelect(ctx, {
      action: "group.member_added",
      targetType: "user",
      targetId: sql`u.id`,
      targetLabel: userLabelSql("u"),
      tenantId: null,
      detailKeys: ["groupId", "groupName", "reason"],
      details: groupDetails,
      from: sql`FROM (SELECT DISTINCT lg.access_group_id AS group_id, u.id AS user_id ${joining}) AS j
        JOIN users AS u ON u.id = j.user_id JOIN access_groups AS ag ON ag.id = j.group_id`,
    }),
    ctx.db
      .insert(accessGroupMembers)
      .select(sql`SELECT DISTINCT lg.access_group_id, u.id, ${ctx.now.getTime()}, NULL ${joining}`)
      .onConflictDoNothing(),
  ];
}

/**
 * Brings users a directory just linked, relinked or adopted in line with its groups (a user in no
 * group becomes CLIENT_VIEWER in a client directory, OPERATOR in the staff one). Call it — or put
 * buildDirectorySyncStatements(ctx, directory, touchedUsers(userIds)) in the linking batch — after
 * a relink or an adoption, which may find the user already in groups; a brand-new user is in none,
 * so creating one needs nothing.
 */
export async function syncUserFromDirectoryGroups(
  ctx: DomainContext,
  directory: SyncedDirectory,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  await runBatch(ctx.db, buildDirectorySyncStatements(ctx, directory, touchedUsers(userIds)));
}
