// /scim/v2/Users changes to a user the directory already holds (RFC 7644 §3.5, §3.6): PUT replaces,
// PATCH applies its operations to the current document and then replaces, DELETE deactivates and
// hides the user from the directory. Each is one read batch and one write batch with its audit
// events. A directory owns names, email and `active` (docs/PRODUCT.md "Provisioning"); it never
// touches a SUPER_ADMIN, which authorize() refuses and every write's WHERE refuses again.
import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { isUniqueViolation, runBatch, type Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow, isBatchGuardFailure } from "../../db/guards";
import { directoryGroupMembers, directoryGroups, directoryUsers, users } from "../../db/schema";
import { AppError } from "../../errors";
import { authorize } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import { scimBaseUrl } from "../directories/directories";
import { issueNewSetupLink } from "../invites/setup-links";
import { buildDeactivationStatements, buildReactivationStatements } from "../users/user-lifecycle";
import type { UserRow } from "../users/users";
import { type DirectoryContext, recordDirectoryChange } from "./scim-caller";
import { applyPatchOperations, parsePatchRequest } from "./scim-patch";
import { validateResourceInput } from "./scim-resource-validation";
import { userSchemas } from "./scim-schemas";
import {
  readScimUserInput,
  type ScimDocument,
  type ScimUserInput,
  type ScimUserRecord,
  toScimUser,
} from "./scim-user-resource";
import { heldBy, linkOf, userNotFound } from "./scim-users";

export type LinkRow = typeof directoryUsers.$inferSelect;

export interface HeldUser {
  user: UserRow;
  link: LinkRow;
  groups: ScimUserRecord["groups"];
}

export function uniquenessError(): AppError {
  // One answer whatever holds the userName or email (docs/SECURITY.md "Directories as actors").
  return new AppError("SCIM_UNIQUENESS", { detail: "A user with this userName or email already exists." });
}

function changedMeanwhile(): AppError {
  return new AppError("STATE_CONFLICT", { detail: "The user changed while this request ran; send it again." });
}

/** The global roles this directory's users have: CLIENT_USER for a client directory, OPERATOR or CONTRACTOR for the staff's. */
export function ownedRoleCondition(ctx: DirectoryContext): SQL {
  return ctx.actor.directory.tenant
    ? (eq(users.role, "CLIENT_USER") as SQL)
    : (inArray(users.role, ["OPERATOR", "CONTRACTOR"]) as SQL);
}

/** authorize() for this user's role within the directory's scope; a SUPER_ADMIN is always refused. */
export function assertDirectoryMayManage(ctx: DirectoryContext, user: Pick<UserRow, "role">): void {
  const tenant = ctx.actor.directory.tenant;
  const decision = tenant
    ? user.role === "CLIENT_USER" &&
      authorize(ctx.actor, { kind: "tenant-content", tenant: { id: tenant.id }, access: "manage-clients" }).allowed
    : authorize(ctx.actor, { kind: "provisioning", role: user.role }).allowed;
  if (!decision) throw new AppError("FORBIDDEN", { detail: "This directory may not change this user." });
}

export function selectGroupsOf(ctx: DirectoryContext, userIds: SQL) {
  return ctx.db
    .select({ userId: directoryGroupMembers.userId, id: directoryGroups.id, displayName: directoryGroups.displayName })
    .from(directoryGroupMembers)
    .innerJoin(directoryGroups, eq(directoryGroups.id, directoryGroupMembers.groupId))
    .where(
      and(eq(directoryGroups.directoryId, ctx.actor.directory.id), sql`${directoryGroupMembers.userId} IN ${userIds}`),
    );
}

/** One batch: the user's row, their link and their groups; 404 for anything this directory does not hold. */
async function readHeldUser(ctx: DirectoryContext, userId: string): Promise<HeldUser> {
  const held = and(heldBy(ctx.actor.directory.id), eq(directoryUsers.userId, userId)) as SQL;
  const [userRows, linkRows, groupRows] = await ctx.db.batch([
    ctx.db
      .select({ user: users })
      .from(users)
      .innerJoin(directoryUsers, eq(directoryUsers.userId, users.id))
      .where(held)
      .limit(1),
    ctx.db
      .select()
      .from(directoryUsers)
      .where(and(eq(directoryUsers.userId, userId), eq(directoryUsers.directoryId, ctx.actor.directory.id)))
      .limit(1),
    selectGroupsOf(ctx, sql`(${userId})`),
  ]);
  const user = userRows[0]?.user;
  const link = linkRows[0];
  if (!user || !link) throw userNotFound();
  return { user, link, groups: groupRows };
}

export interface UserStateChange {
  statements: Statement[];
  stored: UserRow;
  /** Reactivated without ever having finished setup: they need a fresh invite link. */
  needsInvite: boolean;
}

/**
 * The user's owned fields and active state brought to what the directory sent. The first write
 * always runs (with updatedAt) so the batch aborts if the user left the directory's reach meanwhile.
 */
export function buildUserStateStatements(
  ctx: DirectoryContext,
  user: UserRow,
  input: ScimUserInput,
  onlyIf: SQL[] = [],
  changedLinkFields: string[] = [],
): UserStateChange {
  const owned = ownedRoleCondition(ctx);
  const fields = {
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    displayName: input.displayName,
  };
  const changedFields = [
    ...(Object.keys(fields) as Array<keyof typeof fields>).filter((key) => fields[key] !== user[key]),
    ...changedLinkFields,
  ];
  // The write is also the guard (still owned, not erased), so it runs when nothing changed; the time moves only when something did.
  const updatedAt = changedFields.length > 0 ? ctx.now : user.updatedAt;
  let stored: UserRow = { ...user, ...fields, updatedAt };
  const statements: Statement[] = [
    ctx.db
      .update(users)
      .set({ ...fields, updatedAt })
      .where(and(eq(users.id, user.id), isNull(users.erasedAt), owned, ...onlyIf)),
    assertPreviousWriteChangedOneRow(ctx.db),
  ];
  if (changedFields.length > 0) {
    statements.push(
      insertAuditEvent(ctx, {
        action: "user.updated",
        target: describeUser(stored),
        details: { fields: changedFields },
      }),
    );
  }
  let needsInvite = false;
  const active = input.active ?? user.deactivatedAt === null;
  if (active && user.deactivatedAt) {
    const reactivation = buildReactivationStatements(ctx, stored, [owned]);
    statements.push(...reactivation.statements);
    stored = reactivation.stored;
    needsInvite = user.activatedAt === null;
  } else if (!active && !user.deactivatedAt) {
    const deactivation = buildDeactivationStatements(ctx, stored, [owned]);
    statements.push(...deactivation.statements);
    stored = deactivation.stored;
  }
  return { statements, stored, needsInvite };
}

/** Runs a directory's write batch: a unique index that refuses is the SCIM uniqueness error, a guard that aborts a conflict. */
export async function runDirectoryBatch(ctx: DirectoryContext, statements: Statement[]): Promise<void> {
  try {
    await runBatch(ctx.db, [...statements, recordDirectoryChange(ctx)]);
  } catch (error) {
    if (isUniqueViolation(error, "users.email") || isUniqueViolation(error, "directory_users."))
      throw uniquenessError();
    if (isBatchGuardFailure(error)) throw changedMeanwhile();
    throw error;
  }
}

/** After the batch: a pending user the directory reactivated gets a fresh invite, as the first one died with the deactivation. */
export async function sendInviteIfNeeded(ctx: DirectoryContext, change: UserStateChange): Promise<UserRow> {
  if (!change.needsInvite) return change.stored;
  return (await issueNewSetupLink(ctx, change.stored)).user;
}

export function documentOf(
  ctx: DirectoryContext,
  user: UserRow,
  link: ScimUserRecord["link"],
  groups: ScimUserRecord["groups"],
): ScimDocument {
  return toScimUser({ user, link, groups }, scimBaseUrl(ctx));
}

async function applyScimUser(ctx: DirectoryContext, held: HeldUser, input: ScimUserInput): Promise<ScimDocument> {
  assertDirectoryMayManage(ctx, held.user);
  // The directory's own identifiers and kept attributes are audited with the user's fields.
  const changedLinkFields = [
    ...(input.userName === held.link.userName ? [] : ["userName"]),
    ...(input.externalId === held.link.externalId ? [] : ["externalId"]),
    ...(JSON.stringify(input.attributes) === JSON.stringify(held.link.attributes) ? [] : ["attributes"]),
  ];
  const link = {
    userName: input.userName,
    externalId: input.externalId,
    attributes: input.attributes,
    updatedAt: changedLinkFields.length > 0 ? ctx.now : held.link.updatedAt,
  };
  const change = buildUserStateStatements(ctx, held.user, input, [], changedLinkFields);
  await runDirectoryBatch(ctx, [
    ctx.db
      .update(directoryUsers)
      .set({ ...link, userNameKey: input.userNameKey })
      .where(linkOf(ctx, held.user.id)),
    assertPreviousWriteChangedOneRow(ctx.db),
    ...change.statements,
  ]);
  const stored = await sendInviteIfNeeded(ctx, change);
  return documentOf(ctx, stored, { ...link, createdAt: held.link.createdAt }, held.groups);
}

/** PUT /Users/:id (RFC 7644 §3.5.1): the document replaces what the directory owns; userName may change. */
export async function replaceScimUser(ctx: DirectoryContext, userId: string, body: unknown): Promise<ScimDocument> {
  const input = readScimUserInput(validateResourceInput(body, userSchemas, { mode: "replace" }));
  return applyScimUser(ctx, await readHeldUser(ctx, userId), input);
}

/** PATCH /Users/:id (RFC 7644 §3.5.2): the operations on the current document, then that document as a PUT. */
export async function patchScimUser(ctx: DirectoryContext, userId: string, body: unknown): Promise<ScimDocument> {
  const operations = parsePatchRequest(body);
  const held = await readHeldUser(ctx, userId);
  const current = documentOf(ctx, held.user, held.link, held.groups);
  const { id: _id, meta: _meta, groups: _groups, ...patched } = applyPatchOperations(current, operations, userSchemas);
  const input = readScimUserInput(validateResourceInput(patched, userSchemas, { mode: "replace" }));
  return applyScimUser(ctx, held, input);
}

/** DELETE /Users/:id (RFC 7644 §3.6): deactivated and hidden from the directory; the row stays for a relink. */
export async function deleteScimUser(ctx: DirectoryContext, userId: string): Promise<void> {
  const held = await readHeldUser(ctx, userId);
  assertDirectoryMayManage(ctx, held.user);
  const owned = ownedRoleCondition(ctx);
  const statements: Statement[] = [
    ctx.db.update(directoryUsers).set({ deletedAt: ctx.now, updatedAt: ctx.now }).where(linkOf(ctx, userId)),
    assertPreviousWriteChangedOneRow(ctx.db),
  ];
  if (!held.user.deactivatedAt) statements.push(...buildDeactivationStatements(ctx, held.user, [owned]).statements);
  statements.push(
    insertAuditEvent(ctx, {
      action: "directory.user_unlinked",
      target: describeUser(held.user),
      tenantId: ctx.actor.directory.tenant?.id ?? null,
      details: { userName: held.link.userName },
    }),
  );
  await runDirectoryBatch(ctx, statements);
}
