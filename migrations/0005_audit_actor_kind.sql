-- Audit rows record the kind of actor beside its id, name and email (docs/SECURITY.md "Actors that
-- are not people", docs/AUDIT.md). SQLite cannot add a NOT NULL column without a default, and a
-- default would let a row that forgot its kind pass silently, so the table is rebuilt with the
-- column in place. The rows are copied, never updated: the append-only triggers stay as they are
-- until the old table is dropped (DROP TABLE fires no trigger), and both are recreated exactly as
-- migration 0001 wrote them. The migration runs as one transaction on D1 and libSQL alike.
CREATE TABLE `__new_audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text,
	`actor_name` text NOT NULL,
	`actor_email` text,
	`target_type` text,
	`target_id` text,
	`target_label` text,
	`tenant_id` text,
	`details` text NOT NULL,
	`ip` text,
	`request_id` text
);
--> statement-breakpoint
-- The kind of every existing row follows from what wrote it: the system has no id and the name
-- 'Gatehouse (system)'; an anonymous caller has no id; a person acting on their own account before
-- a session exists wrote exactly these four actions (setup, two-factor enrolment, sign-in, a
-- recovery code at sign-in); every other row with an id was a signed-in user. No service existed.
INSERT INTO `__new_audit_events` (`id`, `at`, `action`, `actor_kind`, `actor_id`, `actor_name`, `actor_email`, `target_type`, `target_id`, `target_label`, `tenant_id`, `details`, `ip`, `request_id`)
SELECT `id`, `at`, `action`,
  CASE
    WHEN `actor_id` IS NULL AND `actor_name` = 'Gatehouse (system)' THEN 'system'
    WHEN `actor_id` IS NULL THEN 'anonymous'
    WHEN `action` IN ('user.setup_completed', 'user.two_factor_enrolled', 'session.signed_in', 'session.recovery_code_used') THEN 'account'
    ELSE 'user'
  END,
  `actor_id`, `actor_name`, `actor_email`, `target_type`, `target_id`, `target_label`, `tenant_id`, `details`, `ip`, `request_id`
FROM `audit_events` ORDER BY `id`;
--> statement-breakpoint
DROP TABLE `audit_events`;
--> statement-breakpoint
-- The rename carries the AUTOINCREMENT counter (sqlite_sequence) with the table: ids continue where they were.
ALTER TABLE `__new_audit_events` RENAME TO `audit_events`;
--> statement-breakpoint
CREATE INDEX `audit_events_at_idx` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_actor_idx` ON `audit_events` (`actor_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_tenant_idx` ON `audit_events` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`action`,`id`);--> statement-breakpoint
-- The audit log is append-only: the database itself refuses to change or remove a row (SECURITY.md, Audit).
CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
