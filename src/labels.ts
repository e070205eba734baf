// The words people read for the codes Gatehouse stores (docs/PRODUCT.md §2 and §3). Pages, flash
// messages and emails use these; the API, CSV exports and the database keep the codes. This module
// imports nothing, so views may import it too (test/security/view-imports.test.ts allows it alone).
import type { AuditFindingProblem, DirectoryGroupRole, DirectoryScope, GlobalRole, MembershipRole } from "./db/schema";
import type { AuditAction } from "./domain/audit/audit";

export const userRoleLabels: Record<GlobalRole, string> = {
  SUPER_ADMIN: "Super admin",
  OPERATOR: "Operator",
  CONTRACTOR: "Contractor",
  CLIENT_USER: "Client user",
};

export const membershipRoleLabels: Record<MembershipRole, string> = {
  OPERATOR_FULL: "Full access",
  OPERATOR_READONLY: "Read-only",
  CLIENT_ADMIN: "Client admin",
  CLIENT_VIEWER: "Client viewer",
};

export const userStatusLabels = {
  PENDING: "Pending",
  ACTIVE: "Active",
  DEACTIVATED: "Deactivated",
} as const;

export function labelUserRole(role: GlobalRole): string {
  return userRoleLabels[role];
}

export function labelMembershipRole(role: MembershipRole): string {
  return membershipRoleLabels[role];
}

export function labelUserStatus(status: keyof typeof userStatusLabels): string {
  return userStatusLabels[status];
}

/** Audit actions as people say them; the page shows the code beside them, the API and CSV keep the code alone. */
export const auditActionLabels: Record<AuditAction, string> = {
  "user.invited": "User invited",
  "user.setup_link_regenerated": "New setup link made",
  "user.setup_completed": "Account setup finished",
  "user.updated": "User details changed",
  "user.role_changed": "Role changed",
  "user.deactivated": "User deactivated",
  "user.reactivated": "User reactivated",
  "user.two_factor_reset": "Two-factor reset",
  "user.two_factor_enrolled": "Two-factor set up",
  "user.erased": "User erased",
  "user.sessions_ended": "Sessions ended",
  "user.sign_in_lock_cleared": "Sign-in lock cleared",
  "user.password_changed": "Password changed",
  "user.recovery_codes_regenerated": "Recovery codes replaced",
  "user.display_name_changed": "Display name changed",
  "user.time_zone_changed": "Time zone changed",
  "user.passkey_added": "Passkey added",
  "user.passkey_renamed": "Passkey renamed",
  "user.passkey_removed": "Passkey removed",
  "user.authenticator_app_added": "Authenticator app added",
  "user.authenticator_app_removed": "Authenticator app removed",
  "session.signed_in": "Signed in",
  "session.sign_in_failed": "Sign-in failed",
  "session.account_locked": "Account locked after failed sign-ins",
  "session.totp_replay_refused": "Reused sign-in code refused",
  "session.recovery_code_used": "Recovery code used",
  "session.signed_out": "Signed out",
  "session.ended": "Session ended",
  "session.reauthenticated": "Identity confirmed again",
  "session.passkey_counter_regressed": "Cloned passkey suspected (its counter went back)",
  "tenant.created": "Tenant created",
  "tenant.updated": "Tenant changed",
  "tenant.update_posted": "Tenant update posted",
  "tenant.update_edited": "Tenant update edited",
  "tenant.update_deleted": "Tenant update deleted",
  "membership.granted": "Membership granted",
  "membership.changed": "Membership changed",
  "membership.revoked": "Membership removed",
  "membership.expired": "Membership expired",
  "invite.refused": "Invite refused",
  "group.created": "Access group created",
  "group.updated": "Access group changed",
  "group.deleted": "Access group deleted",
  "group.member_added": "Added to access group",
  "group.member_removed": "Removed from access group",
  "api_token.created": "API token created",
  "api_token.revoked": "API token revoked",
  "audit.exported": "Audit log exported",
  "audit.tampering_detected": "Audit log tampering detected",
  "audit.findings_acknowledged": "Audit log findings acknowledged",
  "directory.created": "Directory created",
  "directory.renamed": "Directory renamed",
  "directory.token_rotated": "Directory token replaced",
  "directory.token_revoked": "Directory token revoked",
  "directory.user_linked": "User provisioned by a directory",
  "directory.user_adopted": "Existing user taken over by a directory",
  "directory.user_relinked": "User provisioned again by a directory",
  "directory.user_unlinked": "User deleted by a directory",
  "directory.group_created": "Directory group created",
  "directory.group_updated": "Directory group changed",
  "directory.group_members_changed": "Directory group members changed",
  "directory.group_deleted": "Directory group deleted",
  "directory.group_mapping_changed": "Directory group mapping changed",
  "policy.passkey_requirement_changed": "Passkey requirement changed",
  "webhook_endpoint.created": "Webhook endpoint added",
  "webhook_endpoint.updated": "Webhook endpoint changed",
  "webhook_endpoint.paused": "Webhook endpoint paused",
  "webhook_endpoint.resumed": "Webhook endpoint resumed",
  "webhook_endpoint.disabled": "Webhook endpoint disabled by Gatehouse",
  "webhook_endpoint.secret_rotated": "Webhook signing secret replaced",
  "webhook_endpoint.deleted": "Webhook endpoint deleted",
  "webhook_endpoint.delivery_resent": "Webhook delivery sent again",
  "access_review.campaign_created": "Access review campaign created",
  "access_review.campaign_updated": "Access review campaign changed",
  "access_review.campaign_stopped": "Access review schedule stopped",
  "access_review.opened": "Access review opened",
  "access_review.item_decided": "Access review decision",
  "access_review.advice_given": "Access review advice from the client",
  "access_review.kept_at_deadline": "Kept at the review deadline, flagged",
  "access_review.item_handed_over": "Access review item handed to the Super admins",
  "access_review.tenant_left_without_admin": "Tenant left without a client admin by a review",
  "access_review.closed": "Access review closed",
  "access_review.evidence_exported": "Access review evidence exported",
};

/** The words for an audit action; a code this build does not know (an older row) reads as itself. */
export function labelAuditAction(action: string): string {
  return (auditActionLabels as Record<string, string>)[action] ?? action;
}

/** What an audit event was about (`audit_events.target_type`). */
export const auditTargetTypeLabels: Record<string, string> = {
  user: "User",
  tenant: "Tenant",
  membership: "Membership",
  group: "Access group",
  api_token: "API token",
  session: "Session",
  tenant_update: "Tenant update",
  audit: "Audit log",
  directory: "Directory",
  directory_group: "Directory group",
  webhook_endpoint: "Webhook endpoint",
  review_campaign: "Access review campaign",
  review_run: "Access review",
  review_item: "Access review item",
};

const emailKindLabels: Record<string, string> = {
  invite: "Invite",
  invite_resent: "New setup link",
  two_factor_reset: "Two-factor reset",
  security_notice: "Security notice",
  expiry_notice: "Access ending",
  webhook_endpoint_disabled: "Webhook endpoint disabled",
  access_review_reminder: "Access review reminder",
  access_review_no_client_admin: "Tenant left without a client admin",
};

/** An outbox message's kind in words; a kind this list does not know shows as stored. */
export function labelEmailKind(kind: string): string {
  return emailKindLabels[kind] ?? kind;
}

/** An outbox message's delivery state in words ("superseded": its link died before delivery). */
export const outboxStatusLabels = {
  pending: "Pending",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  superseded: "Not sent",
} as const;

/** A directory's reach: the staff of the instance, or the people of one company. */
export const directoryScopeLabels: Record<DirectoryScope, string> = {
  staff: "Staff directory",
  tenant: "Company directory",
};

/** What a directory group grants, as the directory page says it. */
export const directoryGroupRoleLabels: Record<DirectoryGroupRole, string> = {
  CLIENT_ADMIN: membershipRoleLabels.CLIENT_ADMIN,
  CLIENT_VIEWER: membershipRoleLabels.CLIENT_VIEWER,
  CONTRACTOR: userRoleLabels.CONTRACTOR,
};

/** What the cron or the sealer found wrong with the audit log (src/domain/audit/audit-findings.ts). */
export const auditFindingProblemLabels: Record<AuditFindingProblem, string> = {
  changed: "Changed: the row differs from its leaf",
  deleted: "Deleted: the leaf's row is gone",
  added: "Added: a row the log never recorded",
  unreadable: "Unreadable: the row can no longer be encoded as a leaf",
  rewritten: "Rewritten: the log's tree no longer extends its last checkpoint; nothing is sealed until it is restored",
};

/** A directory token's state (src/domain/directories/directories.ts directoryTokenState). */
export const directoryTokenStateLabels = {
  current: "Current",
  overlapping: "Still accepted",
  revoked: "Revoked",
  expired: "Expired",
} as const;

/** Actors that are not people, named with what they are so they are never taken for a person of that name. */
export const serviceActorLabels: Record<string, string> = {
  "service:scim_directory": "Directory",
  "service:access_review": "Access review",
  "service:sign_in_connection": "Sign-in connection",
};
