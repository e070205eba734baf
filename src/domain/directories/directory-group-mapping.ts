// What a directory group grants, set by a SUPER_ADMIN on the directory's page (docs/PRODUCT.md §8
// "Directory groups"): a client role in a client directory, CONTRACTOR and/or an access group in
// the staff directory. The mapping applies at once, in the same batch: the group's members (and,
// for a new access group link, that access group's current members) are recomputed with the
// directory as the actor, so the link's authority is the SUPER_ADMIN who set it, audited here.
import { eq, sql } from "drizzle-orm";
import * as z from "zod";
import { runBatch } from "../../db/batch";
import { assertCondition, assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import {
  accessGroups,
  type DirectoryGroupRole,
  directories,
  directoryGroupRoles,
  directoryGroups,
} from "../../db/schema";
import { AppError, type FieldError } from "../../errors";
import { directoryGroupRoleLabels } from "../../labels";
import { insertAuditEvent } from "../audit/audit";
import type { DomainContext } from "../context";
import { buildDirectorySyncStatements, membersOfGroupAnd, type SyncedDirectory } from "./directory-sync";

/** A form sends "" for "none"; the API may send null. */
const noneAsNull = (value: unknown) => (value === "" ? null : value);

export const directoryGroupMappingSchema = z.strictObject({
  mappedRole: z.preprocess(noneAsNull, z.enum(directoryGroupRoles, "Choose a role, or none.").nullable()),
  accessGroupId: z.preprocess(noneAsNull, z.string().trim().min(1).max(100).nullable()),
});

export type DirectoryGroupMapping = z.output<typeof directoryGroupMappingSchema>;

const rolesByScope: Record<SyncedDirectory["scope"], readonly DirectoryGroupRole[]> = {
  tenant: ["CLIENT_ADMIN", "CLIENT_VIEWER"],
  staff: ["CONTRACTOR"],
};

function findMappingProblems(scope: SyncedDirectory["scope"], mapping: DirectoryGroupMapping): FieldError[] {
  const problems: FieldError[] = [];
  const roles = rolesByScope[scope];
  if (mapping.mappedRole !== null && !roles.includes(mapping.mappedRole)) {
    const where = scope === "tenant" ? "a client directory" : "the staff directory";
    problems.push({
      field: "mappedRole",
      message: `A group of ${where} maps to ${roles.map((role) => directoryGroupRoleLabels[role]).join(" or ")}, or to nothing.`,
    });
  }
  if (scope === "tenant" && mapping.accessGroupId !== null) {
    problems.push({
      field: "accessGroupId",
      message: "Only groups of the staff directory fill access groups: client users never hold console permissions.",
    });
  }
  return problems;
}

/** One batch of single-table reads (a D1 batch keys joined rows by column name, and these tables share names). */
async function readMappingFacts(ctx: DomainContext, groupId: string, accessGroupId: string | null) {
  const directoryOfGroup = ctx.db
    .select({ directoryId: directoryGroups.directoryId })
    .from(directoryGroups)
    .where(eq(directoryGroups.id, groupId));
  const [groupRows, directoryRows, accessGroupRows] = await ctx.db.batch([
    ctx.db.select().from(directoryGroups).where(eq(directoryGroups.id, groupId)).limit(1),
    ctx.db
      .select({ id: directories.id, name: directories.name, scope: directories.scope, tenantId: directories.tenantId })
      .from(directories)
      .where(eq(directories.id, sql`(${directoryOfGroup})`))
      .limit(1),
    ctx.db
      .select({ id: accessGroups.id, name: accessGroups.name })
      .from(accessGroups)
      .where(eq(accessGroups.id, accessGroupId ?? ""))
      .limit(1),
  ]);
  const group = groupRows[0];
  const directory = directoryRows[0];
  return { found: group && directory ? { group, directory } : null, accessGroup: accessGroupRows[0] ?? null };
}

/**
 * Sets what a directory group grants and applies it at once. SUPER_ADMINs only; the mapping must
 * fit the directory (client: CLIENT_ADMIN/CLIENT_VIEWER, no access group; staff: CONTRACTOR or
 * nothing, an access group allowed). Unlinking an access group leaves its members as they are.
 */
export async function setDirectoryGroupMapping(
  ctx: DomainContext,
  groupId: string,
  mapping: DirectoryGroupMapping,
): Promise<{ groupId: string; mappedRole: DirectoryGroupRole | null; accessGroupId: string | null }> {
  if (ctx.actor.kind !== "user" || ctx.actor.principal.user.role !== "SUPER_ADMIN") {
    throw new AppError("FORBIDDEN", { detail: "Only a Super admin maps directory groups to roles and access groups." });
  }
  const { found, accessGroup } = await readMappingFacts(ctx, groupId, mapping.accessGroupId);
  if (!found) throw new AppError("NOT_FOUND", { detail: "That directory group does not exist (any more)." });
  const problems = findMappingProblems(found.directory.scope, mapping);
  if (mapping.accessGroupId !== null && !accessGroup && problems.length === 0) {
    problems.push({ field: "accessGroupId", message: "That access group does not exist (any more)." });
  }
  if (problems.length > 0) {
    throw new AppError("VALIDATION_FAILED", {
      detail: problems.map((p) => p.message).join(" "),
      fieldErrors: problems,
    });
  }
  const { group, directory } = found;
  const newAccessGroupMembers =
    mapping.accessGroupId && mapping.accessGroupId !== group.accessGroupId
      ? sql`(SELECT user_id FROM access_group_members WHERE group_id = ${mapping.accessGroupId})`
      : null;
  try {
    await runBatch(ctx.db, [
      ...(mapping.accessGroupId
        ? [assertCondition(ctx.db, sql`EXISTS (SELECT 1 FROM access_groups WHERE id = ${mapping.accessGroupId})`)]
        : []),
      ctx.db
        .update(directoryGroups)
        .set({ mappedRole: mapping.mappedRole, accessGroupId: mapping.accessGroupId, updatedAt: ctx.now })
        .where(eq(directoryGroups.id, group.id)),
      assertPreviousWriteChangedOneRow(ctx.db),
      insertAuditEvent(ctx, {
        action: "directory.group_mapping_changed",
        target: { type: "directory_group", id: group.id, label: group.displayName },
        tenantId: directory.tenantId,
        details: {
          directoryId: directory.id,
          directoryName: directory.name,
          from: { mappedRole: group.mappedRole, accessGroupId: group.accessGroupId },
          to: {
            mappedRole: mapping.mappedRole,
            accessGroupId: mapping.accessGroupId,
            accessGroupName: accessGroup?.name ?? null,
          },
        },
      }),
      ...buildDirectorySyncStatements(ctx, directory, membersOfGroupAnd(group.id, newAccessGroupMembers)),
    ]);
  } catch (error) {
    if (!isBatchGuardFailure(error)) throw error;
    throw new AppError("STATE_CONFLICT", {
      detail: "The group or the access group was deleted meanwhile. Reload and try again.",
    });
  }
  return { groupId: group.id, mappedRole: mapping.mappedRole, accessGroupId: mapping.accessGroupId };
}
