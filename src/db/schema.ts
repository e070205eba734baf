// The whole Gatehouse data model (docs/PRODUCT.md §1–7). One schema for D1 and libSQL.
// Times are integer milliseconds since the epoch (UTC). Status is derived from the columns,
// never stored twice: PENDING = activated_at IS NULL, DEACTIVATED = deactivated_at IS NOT NULL.
import { type SQL, sql } from "drizzle-orm";
import {
  customType,
  index,
  integer,
  primaryKey,
  type SQLiteColumn,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

export const globalRoles = ["SUPER_ADMIN", "OPERATOR", "CONTRACTOR", "CLIENT_USER"] as const;
export type GlobalRole = (typeof globalRoles)[number];

export const membershipRoles = ["OPERATOR_FULL", "OPERATOR_READONLY", "CLIENT_ADMIN", "CLIENT_VIEWER"] as const;
export type MembershipRole = (typeof membershipRoles)[number];

export const setupPurposes = ["invite", "reset_two_factor"] as const;

/** How a session was signed in (docs/PASSKEYS.md "Sessions"). */
export const signInMethods = [
  "password_totp",
  "password_recovery_code",
  "password_passkey",
  "passkey",
  "setup",
] as const;
export type SignInMethod = (typeof signInMethods)[number];

/** What a WebAuthn challenge is for (docs/PASSKEYS.md "Challenges"). */
export const passkeyChallengePurposes = ["sign_in", "second_factor", "register", "reauthenticate", "setup"] as const;
export type PasskeyChallengePurpose = (typeof passkeyChallengePurposes)[number];
export type SetupPurpose = (typeof setupPurposes)[number];

/** Actors that are not people and act on their own authority (docs/SECURITY.md "Actors that are not people"). */
export const serviceTypes = ["scim_directory", "access_review", "sign_in_connection"] as const;
export type ServiceType = (typeof serviceTypes)[number];

/** `audit_events.actor_kind`: what sort of actor did it; a service carries its type after the colon. */
export const actorKinds = [
  "user",
  "account",
  "anonymous",
  "system",
  "service:scim_directory",
  "service:access_review",
  "service:sign_in_connection",
] as const;
export type ActorKind = (typeof actorKinds)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    // Trimmed and lower-cased on the way in (normalizeEmail); the unique index makes it the identity.
    email: text("email").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    displayName: text("display_name").notNull(),
    role: text("role", { enum: globalRoles }).notNull(),
    slackId: text("slack_id"),
    timeZone: text("time_zone").notNull().default("UTC"),
    passwordHash: text("password_hash"),
    totpSecret: text("totp_secret"),
    // Highest TOTP time step ever accepted: a code at or below it is a replay (RFC 6238 §5.2).
    totpLastStep: integer("totp_last_step"),
    // Setup link: only the SHA-256 of the token. D1 is the authority; KV holds a copy with a TTL.
    setupTokenHash: text("setup_token_hash"),
    setupTokenExpiresAt: timestamp("setup_token_expires_at"),
    setupPurpose: text("setup_purpose", { enum: setupPurposes }),
    // Chosen on the first setup step, promoted on the final confirmation.
    pendingDisplayName: text("pending_display_name"),
    pendingPasswordHash: text("pending_password_hash"),
    pendingTotpSecret: text("pending_totp_secret"),
    activatedAt: timestamp("activated_at"),
    deactivatedAt: timestamp("deactivated_at"),
    erasedAt: timestamp("erased_at"),
    lastLoginAt: timestamp("last_login_at"),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("users_email_unique").on(table.email),
    uniqueIndex("users_setup_token_hash_unique").on(table.setupTokenHash),
    index("users_created_at_idx").on(table.createdAt, table.id),
    // Narrow enough to scan for a substring search (see domain/users/users-list.ts): far smaller than the rows.
    index("users_search_idx").on(
      sql`lower(${table.email} || ' ' || ${table.firstName} || ' ' || ${table.lastName} || ' ' || ${table.displayName})`,
      table.createdAt,
      table.id,
    ),
    index("users_role_idx").on(table.role),
  ],
);

export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    codeHash: text("code_hash").notNull(),
    createdAt: timestamp("created_at").notNull(),
    usedAt: timestamp("used_at"),
  },
  (table) => [uniqueIndex("recovery_codes_user_hash_unique").on(table.userId, table.codeHash)],
);

export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    description: text("description").notNull().default(""),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [uniqueIndex("tenants_slug_unique").on(table.slug), index("tenants_name_idx").on(table.name)],
);

/**
 * Where memberships without expiry sort (after every dated one): 8.64e15 ms is the largest JS Date.
 * A literal in the sort indexes' expression, so queries write it literally too.
 */
export const membershipNoExpirySortKey = 8_640_000_000_000_000;

/**
 * The sort key of a membership: its expiry, or membershipNoExpirySortKey when it has none. SQLite
 * uses an expression index only for the same expression, so index and queries share this one.
 * CASE rather than coalesce(): drizzle-kit splits an index expression at its commas.
 */
export function membershipSortKeySql(expiresAt: SQLiteColumn): SQL<number> {
  return sql<number>`(CASE WHEN ${expiresAt} IS NULL THEN ${sql.raw(String(membershipNoExpirySortKey))} ELSE ${expiresAt} END)`;
}

export const memberships = sqliteTable(
  "memberships",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    role: text("role", { enum: membershipRoles }).notNull(),
    expiresAt: timestamp("expires_at"),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
    revokedAt: timestamp("revoked_at"),
    revokedBy: text("revoked_by"),
    revokeReason: text("revoke_reason", { enum: ["removed", "expired", "replaced", "user_erased"] }),
  },
  (table) => [
    // One live (not revoked) membership per user and tenant.
    uniqueIndex("memberships_live_user_tenant_unique").on(table.userId, table.tenantId).where(sql`revoked_at IS NULL`),
    index("memberships_user_idx").on(table.userId, table.revokedAt),
    index("memberships_tenant_idx").on(table.tenantId, table.revokedAt),
    // Drives the expiry sweep.
    index("memberships_live_expiry_idx").on(table.expiresAt).where(sql`revoked_at IS NULL AND expires_at IS NOT NULL`),
    // The expiry notices' late path: memberships the sweep recorded as expired, by expiry (jobs/expiry-notices.ts).
    index("memberships_expired_expiry_idx").on(table.expiresAt).where(sql`revoke_reason = 'expired'`),
    // The membership lists' order (soonest expiry first, open-ended last; domain/memberships/memberships-read.ts),
    // across tenants and within one: a page reads its rows in index order, never the whole table
    // sorted. The query must spell the expression exactly so (membershipSortKeySql).
    index("memberships_live_sort_idx")
      .on(membershipSortKeySql(table.expiresAt), table.id)
      .where(sql`revoked_at IS NULL`),
    index("memberships_tenant_live_sort_idx")
      .on(table.tenantId, membershipSortKeySql(table.expiresAt), table.id)
      .where(sql`revoked_at IS NULL`),
  ],
);

export const expiryNotices = sqliteTable(
  "expiry_notices",
  {
    membershipId: text("membership_id")
      .notNull()
      .references(() => memberships.id),
    // Notices are keyed by the expiry they announce, so extending a membership re-arms them.
    expiresAt: timestamp("expires_at").notNull(),
    daysBefore: integer("days_before").notNull(),
    queuedAt: timestamp("queued_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.membershipId, table.expiresAt, table.daysBefore] })],
);

export const sessions = sqliteTable(
  "sessions",
  {
    // SHA-256 of the cookie token, hex.
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at").notNull(),
    lastSeenAt: timestamp("last_seen_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    // When password and TOTP were last both proven in this session ("recent sign-in").
    authenticatedAt: timestamp("authenticated_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    // How the person proved who they are (docs/PASSKEYS.md "Sessions"): shown on the account page.
    signInMethod: text("sign_in_method", { enum: signInMethods }).notNull().default("password_totp"),
    // Set when the role's policy requires a passkey and the person has none, or came back with a
    // recovery code: the session reaches only passkey enrolment and sign-out until one is added.
    passkeyEnrolmentRequired: integer("passkey_enrolment_required", { mode: "boolean" }).notNull().default(false),
  },
  (table) => [index("sessions_user_idx").on(table.userId)],
);

export const signInChallenges = sqliteTable(
  "sign_in_challenges",
  {
    // SHA-256 of the challenge cookie token: password verified, second factor pending.
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    purpose: text("purpose", { enum: ["sign_in", "step_up"] }).notNull(),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    failedAttempts: integer("failed_attempts").notNull().default(0),
  },
  (table) => [index("sign_in_challenges_user_idx").on(table.userId)],
);

export const signInThrottles = sqliteTable("sign_in_throttles", {
  // "account:<normalized email>" or "address:<client address>".
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: timestamp("window_started_at").notNull(),
  lockedUntil: timestamp("locked_until"),
  updatedAt: timestamp("updated_at").notNull(),
});

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at"),
    lastUsedAt: timestamp("last_used_at"),
    revokedAt: timestamp("revoked_at"),
  },
  (table) => [uniqueIndex("api_tokens_hash_unique").on(table.tokenHash), index("api_tokens_user_idx").on(table.userId)],
);

export const accessGroups = sqliteTable(
  "access_groups",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [uniqueIndex("access_groups_name_unique").on(sql`lower(${table.name})`)],
);

export const accessGroupPermissions = sqliteTable(
  "access_group_permissions",
  {
    groupId: text("group_id")
      .notNull()
      .references(() => accessGroups.id, { onDelete: "cascade" }),
    permission: text("permission").notNull(),
  },
  (table) => [primaryKey({ columns: [table.groupId, table.permission] })],
);

export const accessGroupMembers = sqliteTable(
  "access_group_members",
  {
    groupId: text("group_id")
      .notNull()
      .references(() => accessGroups.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    addedAt: timestamp("added_at").notNull(),
    addedBy: text("added_by"),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.userId] }),
    index("access_group_members_user_idx").on(table.userId),
  ],
);

export const tenantUpdates = sqliteTable(
  "tenant_updates",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    authorId: text("author_id").references(() => users.id),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [index("tenant_updates_tenant_idx").on(table.tenantId, table.createdAt)],
);

// Append-only: triggers in the migrations refuse UPDATE and DELETE.
/**
 * `audit_events.details`: JSON text. Read leniently: a value someone wrote into the table past the
 * application that is not JSON comes back as `{ unreadableDetails: <the text> }`, so the page,
 * the exports and the log's check still read the row (the check then finds it changed) instead of
 * failing on it (docs/AUDIT.md "What the cron checks").
 */
const auditDetails = customType<{ data: Record<string, unknown>; driverData: string }>({
  dataType: () => "text",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return { unreadableDetails: value };
    }
  },
});

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: timestamp("at").notNull(),
    action: text("action").notNull(),
    actorKind: text("actor_kind", { enum: actorKinds }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    actorEmail: text("actor_email"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    targetLabel: text("target_label"),
    tenantId: text("tenant_id"),
    details: auditDetails("details").notNull(),
    ip: text("ip"),
    requestId: text("request_id"),
  },
  (table) => [
    index("audit_events_at_idx").on(table.at),
    index("audit_events_actor_idx").on(table.actorId, table.id),
    index("audit_events_target_idx").on(table.targetId, table.id),
    index("audit_events_tenant_idx").on(table.tenantId, table.id),
    index("audit_events_action_idx").on(table.action, table.id),
  ],
);

export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    // Related user (the invite's recipient), to show delivery state on their page.
    userId: text("user_id"),
    // Makes queueing idempotent where a job may run twice (expiry notices).
    dedupeKey: text("dedupe_key"),
    // The hash of the setup link a setup-link email carries (users.setup_token_hash when queued):
    // delivery sends it only while it is still the user's link, and marks it `superseded` otherwise.
    setupTokenHash: text("setup_token_hash"),
    status: text("status", { enum: ["pending", "sending", "sent", "failed", "superseded"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at").notNull(),
    createdAt: timestamp("created_at").notNull(),
    sentAt: timestamp("sent_at"),
  },
  (table) => [
    uniqueIndex("outbox_dedupe_key_unique").on(table.dedupeKey),
    index("outbox_due_idx").on(table.status, table.nextAttemptAt),
    index("outbox_user_idx").on(table.userId, table.createdAt),
    index("outbox_created_idx").on(table.createdAt),
  ],
);

export const jobRuns = sqliteTable("job_runs", {
  job: text("job").primaryKey(),
  lastStartedAt: timestamp("last_started_at").notNull(),
  lastFinishedAt: timestamp("last_finished_at"),
  lastResult: text("last_result", { mode: "json" }).$type<Record<string, unknown>>(),
  lastError: text("last_error"),
});

// A statement-level assertion inside db.batch(): inserting anything but 1 aborts the batch,
// inserting 1 stores nothing (see the trigger in the migrations and db/guards.ts).
export const batchGuards = sqliteTable("batch_guards", {
  ok: integer("ok"),
});

// SCIM directories (docs/SCIM.md, docs/PRODUCT.md §8): an identity provider that provisions
// people into the instance (the staff directory) or into exactly one tenant (a client directory).
export const directoryScopes = ["staff", "tenant"] as const;
export type DirectoryScope = (typeof directoryScopes)[number];

/** What a directory group may grant: a client role in a client directory, CONTRACTOR in the staff directory. */
export const directoryGroupRoles = ["CLIENT_ADMIN", "CLIENT_VIEWER", "CONTRACTOR"] as const;
export type DirectoryGroupRole = (typeof directoryGroupRoles)[number];

export const directories = sqliteTable(
  "directories",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    scope: text("scope", { enum: directoryScopes }).notNull(),
    // Set exactly when scope = 'tenant'.
    tenantId: text("tenant_id").references(() => tenants.id),
    // Last authenticated SCIM request, recorded at most once a minute.
    lastRequestAt: timestamp("last_request_at"),
    // Last SCIM request that changed something.
    lastChangeAt: timestamp("last_change_at"),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [
    // One directory per tenant, one staff directory.
    uniqueIndex("directories_tenant_unique").on(table.tenantId).where(sql`scope = 'tenant'`),
    uniqueIndex("directories_staff_unique").on(table.scope).where(sql`scope = 'staff'`),
  ],
);

export const directoryTokens = sqliteTable(
  "directory_tokens",
  {
    id: text("id").primaryKey(),
    directoryId: text("directory_id")
      .notNull()
      .references(() => directories.id),
    // SHA-256 of the whole gths_ token (auth/crypto.ts hashToken).
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    // Null while current; set to rotation + 24 h when a newer token replaces it.
    expiresAt: timestamp("expires_at"),
    revokedAt: timestamp("revoked_at"),
    lastUsedAt: timestamp("last_used_at"),
  },
  (table) => [
    uniqueIndex("directory_tokens_hash_unique").on(table.tokenHash),
    index("directory_tokens_directory_idx").on(table.directoryId, table.createdAt),
  ],
);

/** A user a directory provisioned or adopted: the directory's identifiers for them and its hold on them. */
export const directoryUsers = sqliteTable(
  "directory_users",
  {
    // A user is held by at most one directory.
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id),
    directoryId: text("directory_id")
      .notNull()
      .references(() => directories.id),
    // As the directory sent it; userNameKey is its lower-cased form (userName is caseExact: false).
    userName: text("user_name").notNull(),
    userNameKey: text("user_name_key").notNull(),
    externalId: text("external_id"),
    // The SCIM attributes Gatehouse keeps but does not use (title, phoneNumbers, the enterprise extension…).
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
    // SCIM DELETE: hidden from the directory (GET answers 404), the user deactivated, the row kept for a relink.
    deletedAt: timestamp("deleted_at"),
  },
  (table) => [
    uniqueIndex("directory_users_user_name_unique").on(table.directoryId, table.userNameKey),
    index("directory_users_external_id_idx").on(table.directoryId, table.externalId),
    index("directory_users_list_idx").on(table.directoryId, table.createdAt, table.userId),
  ],
);

export const directoryGroups = sqliteTable(
  "directory_groups",
  {
    id: text("id").primaryKey(),
    directoryId: text("directory_id")
      .notNull()
      .references(() => directories.id),
    displayName: text("display_name").notNull(),
    externalId: text("external_id"),
    // Set by a SUPER_ADMIN on the directory page: the role its members get, or the access group it fills.
    mappedRole: text("mapped_role", { enum: directoryGroupRoles }),
    accessGroupId: text("access_group_id").references(() => accessGroups.id),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [
    uniqueIndex("directory_groups_name_unique").on(table.directoryId, sql`lower(${table.displayName})`),
    index("directory_groups_external_id_idx").on(table.directoryId, table.externalId),
    index("directory_groups_list_idx").on(table.directoryId, table.createdAt, table.id),
    index("directory_groups_access_group_idx").on(table.accessGroupId),
  ],
);

export const directoryGroupMembers = sqliteTable(
  "directory_group_members",
  {
    groupId: text("group_id")
      .notNull()
      .references(() => directoryGroups.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    addedAt: timestamp("added_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.userId] }),
    index("directory_group_members_user_idx").on(table.userId),
  ],
);

/** The last refusals a directory's requests met, shown on its page (the newest 20 are kept). */
export const directoryErrors = sqliteTable(
  "directory_errors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    directoryId: text("directory_id")
      .notNull()
      .references(() => directories.id),
    at: timestamp("at").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    status: integer("status").notNull(),
    scimType: text("scim_type"),
    detail: text("detail").notNull(),
  },
  (table) => [index("directory_errors_directory_idx").on(table.directoryId, table.id)],
);

/**
 * Passkeys (WebAuthn credentials; docs/PASSKEYS.md). The public key is stored as the bytes WebCrypto
 * imports for its algorithm: SEC1 uncompressed for ES256, SPKI for RS256, raw for EdDSA. A passkey
 * added during setup carries that link's token hash until the setup finishes; until then it signs
 * nobody in, and a new link for the user removes it.
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    // base64url of the credential id the authenticator chose.
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    algorithm: integer("algorithm").notNull(),
    signCount: integer("sign_count").notNull(),
    name: text("name").notNull(),
    // base64url of the authenticator's AAGUID (all zeros for most synced passkeys); never trusted.
    aaguid: text("aaguid").notNull(),
    transports: text("transports"),
    pendingSetupTokenHash: text("pending_setup_token_hash"),
    createdAt: timestamp("created_at").notNull(),
    lastUsedAt: timestamp("last_used_at"),
  },
  (table) => [
    uniqueIndex("passkeys_credential_id_unique").on(table.credentialId),
    index("passkeys_user_idx").on(table.userId, table.createdAt),
  ],
);

/**
 * One WebAuthn challenge, single-use: the row is deleted by the request that answers it, and only
 * a request carrying the same binding (the hash of the cookie or session of the attempt) can.
 */
export const passkeyChallenges = sqliteTable(
  "passkey_challenges",
  {
    // SHA-256 (hex) of the challenge bytes: the assertion's clientDataJSON names the challenge.
    id: text("id").primaryKey(),
    purpose: text("purpose", { enum: passkeyChallengePurposes }).notNull(),
    userId: text("user_id").references(() => users.id),
    bindingHash: text("binding_hash").notNull(),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (table) => [index("passkey_challenges_expires_idx").on(table.expiresAt)],
);

/** Global roles whose people must sign in with a passkey (docs/PASSKEYS.md "The policy"). */
export const passkeyRequiredRoles = sqliteTable("passkey_required_roles", {
  role: text("role", { enum: globalRoles }).primaryKey(),
  requiredAt: timestamp("required_at").notNull(),
  requiredBy: text("required_by"),
});

/** docs/EVENTS.md "Endpoints": `disabled` is Gatehouse's doing (410 Gone, 5 days failing), `paused` an admin's. */
export const webhookEndpointStatuses = ["enabled", "paused", "disabled"] as const;

/** A receiver of signed events (docs/EVENTS.md). Managed by SUPER_ADMINs only. */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    url: text("url").notNull(),
    description: text("description").notNull(),
    // Event types it receives; an empty list means every type.
    eventTypes: text("event_types", { mode: "json" }).$type<string[]>().notNull(),
    // Only this tenant's events when set.
    tenantId: text("tenant_id").references(() => tenants.id),
    status: text("status", { enum: webhookEndpointStatuses }).notNull(),
    disabledReason: text("disabled_reason", { enum: ["gone", "failing"] }),
    // The whsec_ secret, sealed by auth/secrets.ts for "webhook-endpoint:<id>".
    secretSealed: text("secret_sealed").notNull(),
    // The secret a rotation replaced: still signed with until previous_secret_expires_at.
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at"),
    // Events with a larger id are queued for it: set when it is created and when it resumes.
    afterEventId: integer("after_event_id").notNull(),
    // The first failure since the last success; 5 days of failing disables the endpoint.
    failingSince: timestamp("failing_since"),
    lastSuccessAt: timestamp("last_success_at"),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [index("webhook_endpoints_status_idx").on(table.status)],
);

export const webhookDeliveryStatuses = ["pending", "sending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** One event for one endpoint: the webhook outbox row, with its retry schedule (jobs/deliver-webhooks.ts). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: integer("event_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status", { enum: webhookDeliveryStatuses }).notNull(),
    // Attempts of the current schedule (a resend starts a new one).
    attempts: integer("attempts").notNull(),
    nextAttemptAt: timestamp("next_attempt_at").notNull(),
    lastAttemptAt: timestamp("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at").notNull(),
  },
  (table) => [
    uniqueIndex("webhook_deliveries_endpoint_event_unique").on(table.endpointId, table.eventId),
    index("webhook_deliveries_due_idx").on(table.status, table.nextAttemptAt),
    // The claim's "none in flight for this endpoint" and the endpoint page's counts.
    index("webhook_deliveries_endpoint_due_idx").on(table.endpointId, table.status, table.nextAttemptAt),
    // The claim's "this endpoint's first due delivery", read in order without a sort however long
    // the endpoint's backlog (jobs and domain/webhooks/webhook-delivery.ts).
    index("webhook_deliveries_open_idx")
      .on(table.endpointId, table.nextAttemptAt, table.eventId)
      .where(sql`status IN ('pending', 'sending')`),
  ],
);

/** Every attempt to deliver, for the endpoint's page. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id").notNull(),
    at: timestamp("at").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (table) => [
    index("webhook_attempts_endpoint_idx").on(table.endpointId, table.id),
    index("webhook_attempts_delivery_idx").on(table.deliveryId),
  ],
);

/** One row (id 1): the last audit event the dispatcher has turned into deliveries. */
export const webhookDispatch = sqliteTable("webhook_dispatch", {
  id: integer("id").primaryKey(),
  lastEventId: integer("last_event_id").notNull(),
});

// The verifiable audit log (docs/AUDIT.md "Verifying the log"): a Merkle tree over every audit
// event, appended by the sequencer (domain/audit/audit-tree.ts), and the signed checkpoints of it.
// Leaves, nodes and checkpoints are append-only like audit_events (triggers, migration 0010).

/** One row (id 1): the tree's size, the last event it holds, and its frontier (the compare-and-set target). */
export const auditTree = sqliteTable("audit_tree", {
  id: integer("id").primaryKey(),
  size: integer("size").notNull(),
  lastEventId: integer("last_event_id").notNull(),
  // JSON array of the base64 hashes of the perfect subtrees of `size` leaves, largest first.
  frontier: text("frontier").notNull(),
});

/** Which audit event each leaf is. */
export const auditLeaves = sqliteTable("audit_leaves", {
  leafIndex: integer("leaf_index").primaryKey(),
  eventId: integer("event_id").notNull().unique("audit_leaves_event_unique"),
});

/** The hash of every perfect subtree, leaves included, keyed by its in-order position (merkle-tree.ts). */
export const auditTreeNodes = sqliteTable("audit_tree_nodes", {
  position: integer("position").primaryKey(),
  hash: text("hash").notNull(),
});

export const auditCheckpoints = sqliteTable("audit_checkpoints", {
  treeSize: integer("tree_size").primaryKey(),
  lastEventId: integer("last_event_id").notNull(),
  rootHash: text("root_hash").notNull(),
  // The whole signed note (c2sp.org/tlog-checkpoint inside c2sp.org/signed-note), verbatim.
  signedNote: text("signed_note").notNull(),
  keyId: text("key_id").notNull(),
  sealedAt: timestamp("sealed_at").notNull(),
});

/** One row (id 1): the next leaf the cron's rolling check recomputes. */
export const auditVerification = sqliteTable("audit_verification", {
  id: integer("id").primaryKey(),
  nextLeafIndex: integer("next_leaf_index").notNull(),
});

export const auditFindingProblems = ["changed", "deleted", "added", "unreadable", "rewritten"] as const;
export type AuditFindingProblem = (typeof auditFindingProblems)[number];

/** Something the log no longer matches, found by the cron or the sealer; shown to Super admins until acknowledged. */
export const auditFindings = sqliteTable(
  "audit_findings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // What it is about, the key a finding is recorded once by: "event:<id>", "leaf:<index>" or
    // "checkpoint:<size>" (audit-integrity.ts).
    subject: text("subject").notNull(),
    eventId: integer("event_id"),
    leafIndex: integer("leaf_index"),
    problem: text("problem", { enum: auditFindingProblems }).notNull(),
    detectedAt: timestamp("detected_at").notNull(),
    acknowledgedAt: timestamp("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
  },
  (table) => [
    uniqueIndex("audit_findings_subject_problem_unique").on(table.subject, table.problem),
    index("audit_findings_open_idx").on(table.acknowledgedAt),
  ],
);

// Access reviews (docs/ACCESS-REVIEWS.md, docs/PRODUCT.md §10): a campaign a SUPER_ADMIN defines,
// opened by the cron on its cadence as runs; each run holds one item per membership in scope when
// it opened, decided by the item's reviewer or, at the deadline, by the campaign itself.
export const reviewCadences = ["quarterly", "half_yearly", "yearly", "once"] as const;
export type ReviewCadence = (typeof reviewCadences)[number];
export const reviewMembershipKinds = ["staff", "client", "both"] as const;
export type ReviewMembershipKinds = (typeof reviewMembershipKinds)[number];
/** What the tenant's CLIENT_ADMINs say about the staff who may see their company. */
export const reviewClientSays = ["none", "advisory", "binding"] as const;
export type ReviewClientSay = (typeof reviewClientSays)[number];
export const reviewDeadlineActions = ["revoke", "keep_flag"] as const;
export type ReviewDeadlineAction = (typeof reviewDeadlineActions)[number];
export const reviewItemStatuses = ["pending", "kept", "revoked", "ended_elsewhere"] as const;
export type ReviewItemStatus = (typeof reviewItemStatuses)[number];
/** Who decided: the item's reviewer, the campaign at the deadline, or nobody (the membership ended elsewhere). */
export const reviewDecisionSources = ["reviewer", "deadline", "membership_ended"] as const;
export type ReviewDecisionSource = (typeof reviewDecisionSources)[number];
export const reviewItemFlags = ["kept_at_deadline", "last_client_admin"] as const;
export type ReviewItemFlag = (typeof reviewItemFlags)[number];

export const reviewCampaigns = sqliteTable(
  "review_campaigns",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // True: every tenant at each opening; false: the tenants in review_campaign_tenants.
    allTenants: integer("all_tenants", { mode: "boolean" }).notNull(),
    membershipKinds: text("membership_kinds", { enum: reviewMembershipKinds }).notNull(),
    cadence: text("cadence", { enum: reviewCadences }).notNull(),
    durationDays: integer("duration_days").notNull(),
    clientSayOnStaff: text("client_say_on_staff", { enum: reviewClientSays }).notNull(),
    justificationRequired: integer("justification_required", { mode: "boolean" }).notNull(),
    deadlineAction: text("deadline_action", { enum: reviewDeadlineActions }).notNull(),
    inactiveAfterDays: integer("inactive_after_days").notNull(),
    startsAt: timestamp("starts_at").notNull(),
    // When the cron opens the next run; null once a one-off has run or the schedule was stopped.
    nextRunAt: timestamp("next_run_at"),
    stoppedAt: timestamp("stopped_at"),
    createdAt: timestamp("created_at").notNull(),
    createdBy: text("created_by"),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (table) => [
    index("review_campaigns_due_idx").on(table.nextRunAt).where(sql`next_run_at IS NOT NULL`),
    index("review_campaigns_created_idx").on(table.createdAt, table.id),
  ],
);

export const reviewCampaignTenants = sqliteTable(
  "review_campaign_tenants",
  {
    campaignId: text("campaign_id")
      .notNull()
      .references(() => reviewCampaigns.id),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.tenantId] })],
);

/** One opening of a campaign, with the campaign's settings as they were then. */
export const reviewRuns = sqliteTable(
  "review_runs",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => reviewCampaigns.id),
    // The scheduled time this run is for: one run per campaign and time, however often the cron runs.
    dueAt: timestamp("due_at").notNull(),
    openedAt: timestamp("opened_at").notNull(),
    // Counted from the actual opening, so a late cron never shortens a review.
    deadlineAt: timestamp("deadline_at").notNull(),
    name: text("name").notNull(),
    membershipKinds: text("membership_kinds", { enum: reviewMembershipKinds }).notNull(),
    clientSayOnStaff: text("client_say_on_staff", { enum: reviewClientSays }).notNull(),
    justificationRequired: integer("justification_required", { mode: "boolean" }).notNull(),
    deadlineAction: text("deadline_action", { enum: reviewDeadlineActions }).notNull(),
    inactiveAfterDays: integer("inactive_after_days").notNull(),
    itemCount: integer("item_count").notNull(),
    closedAt: timestamp("closed_at"),
  },
  (table) => [
    uniqueIndex("review_runs_campaign_due_unique").on(table.campaignId, table.dueAt),
    index("review_runs_open_deadline_idx").on(table.deadlineAt).where(sql`closed_at IS NULL`),
    index("review_runs_opened_idx").on(table.openedAt, table.id),
  ],
);

export const reviewItems = sqliteTable(
  "review_items",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => reviewRuns.id),
    tenantId: text("tenant_id").notNull(),
    membershipId: text("membership_id").notNull(),
    userId: text("user_id").notNull(),
    // The member and the membership as they were at the opening: the evidence outlives renames and erasure.
    memberName: text("member_name").notNull(),
    memberEmail: text("member_email").notNull(),
    membershipKind: text("membership_kind", { enum: ["staff", "client"] }).notNull(),
    role: text("role", { enum: membershipRoles }).notNull(),
    expiresAt: timestamp("expires_at"),
    grantedBy: text("granted_by"),
    memberLastLoginAt: timestamp("member_last_login_at"),
    // No sign-in for the run's inactiveAfterDays: shown as a recommendation to revoke.
    recommendRevoke: integer("recommend_revoke", { mode: "boolean" }).notNull(),
    // "user:<id>", "super_admins" or "client_admins" (domain/reviews/review-reviewers.ts).
    reviewerKey: text("reviewer_key").notNull(),
    // A staff item the tenant's CLIENT_ADMINs may advise on (the run's clientSayOnStaff is advisory).
    clientMayAdvise: integer("client_may_advise", { mode: "boolean" }).notNull(),
    status: text("status", { enum: reviewItemStatuses }).notNull(),
    decisionSource: text("decision_source", { enum: reviewDecisionSources }),
    decidedAt: timestamp("decided_at"),
    decidedBy: text("decided_by"),
    decidedByName: text("decided_by_name"),
    justification: text("justification"),
    flag: text("flag", { enum: reviewItemFlags }),
    advice: text("advice", { enum: ["keep", "revoke"] }),
    adviceJustification: text("advice_justification"),
    advisedBy: text("advised_by"),
    advisedByName: text("advised_by_name"),
    advisedAt: timestamp("advised_at"),
  },
  (table) => [
    uniqueIndex("review_items_run_membership_unique").on(table.runId, table.membershipId),
    // Pages: a run's items in order, by status; progress per tenant and per reviewer (covering).
    index("review_items_run_status_idx").on(table.runId, table.status, table.id),
    index("review_items_run_tenant_idx").on(table.runId, table.tenantId, table.status, table.id),
    index("review_items_run_reviewer_idx").on(table.runId, table.reviewerKey, table.status, table.id),
    index("review_items_pending_membership_idx").on(table.membershipId).where(sql`status = 'pending'`),
  ],
);
