// Audit events (docs/PRODUCT.md §6): one append-only row per change, written in the same batch as the change.
// Actor and target are snapshots (name and email as they were), so renames never rewrite history.
// Details never carry secrets: keys that look like one are refused before anything is written.
import { type SQL, sql } from "drizzle-orm";
import type { Statement } from "../../db/batch";
import { auditEvents } from "../../db/schema";
import { type DomainContext, snapshotActor } from "../context";

export const auditActions = [
  "user.invited",
  "user.setup_link_regenerated",
  "user.setup_completed",
  "user.updated",
  "user.role_changed",
  "user.deactivated",
  "user.reactivated",
  "user.two_factor_reset",
  "user.two_factor_enrolled",
  "user.erased",
  "user.sessions_ended",
  "user.sign_in_lock_cleared",
  "user.password_changed",
  "user.recovery_codes_regenerated",
  "user.display_name_changed",
  "user.time_zone_changed",
  "user.passkey_added",
  "user.passkey_renamed",
  "user.passkey_removed",
  "user.authenticator_app_added",
  "user.authenticator_app_removed",
  "session.signed_in",
  "session.sign_in_failed",
  "session.account_locked",
  "session.totp_replay_refused",
  "session.recovery_code_used",
  "session.signed_out",
  "session.ended",
  "session.reauthenticated",
  "session.passkey_counter_regressed",
  "tenant.created",
  "tenant.updated",
  "tenant.update_posted",
  "tenant.update_edited",
  "tenant.update_deleted",
  "membership.granted",
  "membership.changed",
  "membership.revoked",
  "membership.expired",
  "invite.refused",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.member_added",
  "group.member_removed",
  "api_token.created",
  "api_token.revoked",
  "audit.exported",
  "audit.tampering_detected",
  "audit.findings_acknowledged",
  "directory.created",
  "directory.renamed",
  "directory.token_rotated",
  "directory.token_revoked",
  "directory.user_linked",
  "directory.user_adopted",
  "directory.user_relinked",
  "directory.user_unlinked",
  "directory.group_created",
  "directory.group_updated",
  "directory.group_members_changed",
  "directory.group_deleted",
  "directory.group_mapping_changed",
  "policy.passkey_requirement_changed",
  "webhook_endpoint.created",
  "webhook_endpoint.updated",
  "webhook_endpoint.paused",
  "webhook_endpoint.resumed",
  "webhook_endpoint.disabled",
  "webhook_endpoint.secret_rotated",
  "webhook_endpoint.deleted",
  "webhook_endpoint.delivery_resent",
  "access_review.campaign_created",
  "access_review.campaign_updated",
  "access_review.campaign_stopped",
  "access_review.opened",
  "access_review.item_decided",
  "access_review.advice_given",
  "access_review.kept_at_deadline",
  "access_review.item_handed_over",
  "access_review.tenant_left_without_admin",
  "access_review.closed",
  "access_review.evidence_exported",
] as const;

export type AuditAction = (typeof auditActions)[number];

export interface AuditTarget {
  type:
    | "user"
    | "tenant"
    | "membership"
    | "group"
    | "api_token"
    | "session"
    | "tenant_update"
    | "audit"
    | "directory"
    | "directory_group"
    | "webhook_endpoint"
    | "review_campaign"
    | "review_run"
    | "review_item";
  id: string | null;
  label: string | null;
}

export interface AuditEventInput {
  action: AuditAction;
  target?: AuditTarget;
  tenantId?: string | null;
  details?: Record<string, unknown>;
}

// "passkeyId" and "passkeyName" name a passkey, not a password.
const secretLookingKey = /pass(?!key)(word)?|secret|token|code|otp|cookie|hash/i;

function assertNoSecrets(details: Record<string, unknown>): void {
  for (const key of Object.keys(details)) {
    if (secretLookingKey.test(key)) throw new Error(`audit details must not carry secrets (key "${key}")`);
  }
}

export type AuditContext = Pick<DomainContext, "db" | "now" | "actor" | "ip" | "requestId">;

/** The row of one audit event; insertAuditEvent writes it, bulk writers chunk many of them. */
export function buildAuditRow(ctx: AuditContext, event: AuditEventInput): typeof auditEvents.$inferInsert {
  const details = event.details ?? {};
  assertNoSecrets(details);
  const actor = snapshotActor(ctx.actor);
  return {
    at: ctx.now,
    action: event.action,
    actorKind: actor.kind,
    actorId: actor.id,
    actorName: actor.name,
    actorEmail: actor.email,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    targetLabel: event.target?.label ?? null,
    tenantId: event.tenantId ?? null,
    details,
    ip: ctx.ip,
    requestId: ctx.requestId,
  };
}

export function insertAuditEvent(ctx: AuditContext, event: AuditEventInput) {
  return ctx.db.insert(auditEvents).values(buildAuditRow(ctx, event));
}

export function describeUser(user: { id: string; email: string; firstName: string; lastName: string }): AuditTarget {
  return { type: "user", id: user.id, label: `${user.firstName} ${user.lastName} <${user.email}>` };
}

/** SQL for describeUser's label, over a `users` row aliased `alias`. */
export function userLabelSql(alias: string): SQL {
  const u = sql.raw(alias);
  return sql`${u}.first_name || ' ' || ${u}.last_name || ' <' || ${u}.email || '>'`;
}

export interface AuditSelect {
  action: AuditAction;
  targetType: AuditTarget["type"];
  targetId: SQL;
  targetLabel: SQL;
  tenantId: SQL | string | null;
  /** A json_object(…) whose keys are constants (checked like any details). */
  detailKeys: string[];
  details: SQL;
  /** FROM … WHERE …: one event per row it yields. */
  from: SQL;
}

/**
 * One audit event per row a query yields (INSERT … SELECT), for changes made in set form: the
 * events name exactly the rows the change will touch when placed just before it in the batch.
 */
export function insertAuditEventsSelect(ctx: AuditContext, event: AuditSelect): Statement {
  assertNoSecrets(Object.fromEntries(event.detailKeys.map((key) => [key, null])));
  const actor = snapshotActor(ctx.actor);
  // Every column in the table's order (drizzle's INSERT … SELECT names them all); NULL numbers the id.
  return ctx.db.insert(auditEvents).select(sql`SELECT NULL, ${ctx.now.getTime()}, ${event.action}, ${actor.kind},
    ${actor.id}, ${actor.name}, ${actor.email}, ${event.targetType}, ${event.targetId}, ${event.targetLabel},
    ${event.tenantId}, ${event.details}, ${ctx.ip}, ${ctx.requestId} ${event.from}`);
}
