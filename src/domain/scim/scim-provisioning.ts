// POST /scim/v2/Users (RFC 7644 §3.3): a directory provisions a person (docs/PRODUCT.md
// "Provisioning"). Four outcomes, decided from one read batch:
// - CREATE: a new PENDING user with the invite email, exactly as a hand invite (an OPERATOR from the
//   staff directory; a CLIENT_USER with a CLIENT_VIEWER membership in its tenant from a client one);
// - ADOPT: a hand-made user with this email inside the directory's scope, held by no directory,
//   is linked and brought to what the directory sent;
// - RELINK: a user this directory deleted, sent again with the same userName or email, is linked
//   again and reactivated under the same id;
// - anything else is the one uniqueness answer, whatever holds the userName or email.
import { type SQL, sql } from "drizzle-orm";
import { generateId } from "../../auth/crypto";
import { storeSetupTokenInKv } from "../../auth/setup-tokens";
import type { Statement } from "../../db/batch";
import { assertPreviousWriteChangedOneRow } from "../../db/guards";
import { directoryUsers, memberships, users } from "../../db/schema";
import { AppError } from "../../errors";
import { authorize } from "../access";
import { describeUser, insertAuditEvent } from "../audit/audit";
import { buildDirectorySyncStatements, syncedDirectoryOf, touchedUsers } from "../directories/directory-sync";
import { buildInviteStatements, findInviteMembershipProblems, prepareInvite } from "../invites/invites";
import { describeMembership } from "../memberships/memberships-read";
import type { InviteInput, UserRow } from "../users/users";
import type { DirectoryContext } from "./scim-caller";
import { type Candidate, decideProvisioning, readProvisioningFacts } from "./scim-provisioning-facts";
import { validateResourceInput } from "./scim-resource-validation";
import { userSchemas } from "./scim-schemas";
import { readScimUserInput, type ScimDocument, type ScimUserInput } from "./scim-user-resource";
import {
  buildUserStateStatements,
  documentOf,
  type LinkRow,
  runDirectoryBatch,
  sendInviteIfNeeded,
  uniquenessError,
} from "./scim-user-writes";
import { linkOf } from "./scim-users";

function assertMayProvision(ctx: DirectoryContext): void {
  const tenant = ctx.actor.directory.tenant;
  const decision = tenant
    ? authorize(ctx.actor, { kind: "tenant-content", tenant: { id: tenant.id }, access: "manage-clients" })
    : authorize(ctx.actor, { kind: "provisioning", role: "OPERATOR" });
  if (!decision.allowed) throw new AppError("FORBIDDEN", { detail: "This directory may not provision users." });
}

function newLink(ctx: DirectoryContext, userId: string, input: ScimUserInput): LinkRow {
  return {
    userId,
    directoryId: ctx.actor.directory.id,
    userName: input.userName,
    userNameKey: input.userNameKey,
    externalId: input.externalId,
    attributes: input.attributes,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    deletedAt: null,
  };
}

async function createUser(ctx: DirectoryContext, input: ScimUserInput): Promise<ScimDocument> {
  const tenant = ctx.actor.directory.tenant;
  const invite: InviteInput = {
    email: input.email,
    firstName: input.firstName,
    lastName: input.lastName,
    role: tenant ? "CLIENT_USER" : "OPERATOR",
    slackId: null,
    memberships: tenant ? [{ tenantId: tenant.id, role: "CLIENT_VIEWER", expiresAt: null }] : [],
  };
  const slugs = new Map(tenant ? [[tenant.id, tenant.slug]] : []);
  const problems = findInviteMembershipProblems(ctx, invite, slugs);
  if (problems.length > 0) throw new AppError("FORBIDDEN", { detail: problems.map((p) => p.message).join(" ") });
  const prepared = await prepareInvite(ctx, invite, slugs, { displayName: input.displayName });
  let user = prepared.result.user;
  if (!input.active) {
    // Created deactivated: no setup link and no invite email until the directory activates them.
    user = { ...user, deactivatedAt: ctx.now, setupTokenHash: null, setupTokenExpiresAt: null, setupPurpose: null };
    prepared.rows.users = [user];
    prepared.rows.outbox = [];
    prepared.rows.audit = prepared.rows.audit.map((row) =>
      row.action === "user.invited" ? { ...row, details: { role: user.role, deactivated: true } } : row,
    );
  }
  const link = newLink(ctx, user.id, input);
  await runDirectoryBatch(ctx, [
    ...buildInviteStatements(ctx.db, [prepared]),
    ctx.db.insert(directoryUsers).values(link),
    insertAuditEvent(ctx, linkAudit(ctx, "directory.user_linked", user, input)),
  ]);
  if (input.active) await storeSetupTokenInKv(ctx.kv, prepared.prepared, user.id, "invite", ctx.now);
  return documentOf(ctx, user, link, []);
}

function linkAudit(
  ctx: DirectoryContext,
  action: "directory.user_linked" | "directory.user_adopted" | "directory.user_relinked",
  user: Pick<UserRow, "id" | "email" | "firstName" | "lastName">,
  input: ScimUserInput,
) {
  return {
    action,
    target: describeUser(user),
    tenantId: ctx.actor.directory.tenant?.id ?? null,
    details: { userName: input.userName, externalId: input.externalId },
  };
}

/** A client directory's user always has a live membership in its tenant: CLIENT_VIEWER until a group maps another role. */
function grantMissingMembership(ctx: DirectoryContext, candidate: Candidate, email: string): Statement[] {
  const tenant = ctx.actor.directory.tenant;
  if (!tenant || candidate.liveMembershipsHere > 0) return [];
  const id = generateId("mbr");
  return [
    ctx.db.insert(memberships).values({
      id,
      userId: candidate.user.id,
      tenantId: tenant.id,
      role: "CLIENT_VIEWER",
      expiresAt: null,
      createdAt: ctx.now,
      createdBy: null,
      updatedAt: ctx.now,
    }),
    insertAuditEvent(ctx, {
      action: "membership.granted",
      target: describeMembership({ id, userEmail: email, tenantSlug: tenant.slug }),
      tenantId: tenant.id,
      details: { userId: candidate.user.id, role: "CLIENT_VIEWER", expiresAt: null },
    }),
  ];
}

/** A client directory adopts only a user whose memberships are all in its tenant, still so when the batch runs. */
function stillOnlyHere(ctx: DirectoryContext): SQL[] {
  const tenant = ctx.actor.directory.tenant;
  if (!tenant) return [];
  return [
    sql`NOT EXISTS (SELECT 1 FROM ${memberships} AS m WHERE m.user_id = ${users.id} AND m.tenant_id != ${tenant.id})`,
  ];
}

function syncRoleWithGroups(ctx: DirectoryContext, userId: string): Statement[] {
  return buildDirectorySyncStatements(ctx, syncedDirectoryOf(ctx.actor.directory), touchedUsers([userId]));
}

async function adoptUser(ctx: DirectoryContext, candidate: Candidate, input: ScimUserInput): Promise<ScimDocument> {
  const link = newLink(ctx, candidate.user.id, input);
  const change = buildUserStateStatements(ctx, candidate.user, input, stillOnlyHere(ctx));
  await runDirectoryBatch(ctx, [
    // First, so that a user another directory linked meanwhile fails on the primary key.
    ctx.db.insert(directoryUsers).values(link),
    ...change.statements,
    ...grantMissingMembership(ctx, candidate, input.email),
    insertAuditEvent(ctx, linkAudit(ctx, "directory.user_adopted", change.stored, input)),
    // From now on the directory's groups decide the role (docs/PRODUCT.md §7d): none yet means the default.
    ...syncRoleWithGroups(ctx, candidate.user.id),
  ]);
  return documentOf(ctx, await sendInviteIfNeeded(ctx, change), link, candidate.groups);
}

async function relinkUser(
  ctx: DirectoryContext,
  candidate: Candidate,
  previous: LinkRow,
  input: ScimUserInput,
): Promise<ScimDocument> {
  const link = { ...newLink(ctx, candidate.user.id, input), createdAt: previous.createdAt };
  const change = buildUserStateStatements(ctx, candidate.user, input, stillOnlyHere(ctx));
  await runDirectoryBatch(ctx, [
    ctx.db
      .update(directoryUsers)
      .set({ ...link, createdAt: previous.createdAt })
      .where(linkOf(ctx, candidate.user.id, true)),
    assertPreviousWriteChangedOneRow(ctx.db),
    ...change.statements,
    ...grantMissingMembership(ctx, candidate, input.email),
    insertAuditEvent(ctx, linkAudit(ctx, "directory.user_relinked", change.stored, input)),
    // The groups they stayed in while deleted count again.
    ...syncRoleWithGroups(ctx, candidate.user.id),
  ]);
  return documentOf(ctx, await sendInviteIfNeeded(ctx, change), link, candidate.groups);
}

export async function createScimUser(ctx: DirectoryContext, body: unknown): Promise<ScimDocument> {
  const sent = readScimUserInput(validateResourceInput(body, userSchemas, { mode: "create" }));
  // RFC 7643 leaves `active` to the service provider: a user the directory does not call inactive is active.
  const input = { ...sent, active: sent.active ?? true };
  assertMayProvision(ctx);
  const decision = decideProvisioning(ctx, await readProvisioningFacts(ctx, input));
  switch (decision.kind) {
    case "create":
      return createUser(ctx, input);
    case "adopt":
      return adoptUser(ctx, decision.candidate, input);
    case "relink":
      return relinkUser(ctx, decision.candidate, decision.link, input);
    case "taken":
      throw uniquenessError();
  }
}
