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
--> statement-breakpoint
-- A batch guard never stores a row: 1 passes (RAISE(IGNORE) skips the insert), anything else aborts
-- the whole batch, so a conditional write that lost its race takes its follow-up writes down with it.
CREATE TRIGGER batch_guards_check BEFORE INSERT ON batch_guards
BEGIN
  SELECT CASE WHEN NEW.ok = 1 THEN RAISE(IGNORE) ELSE RAISE(ABORT, 'GATEHOUSE_BATCH_GUARD_FAILED') END;
END;
--> statement-breakpoint
-- SPEC §9: a "Read-only auditor" access group exists from the first start.
INSERT INTO access_groups (id, name, description, created_at, created_by, updated_at)
VALUES ('grp_readonly_auditor', 'Read-only auditor', 'Reads users, memberships, tenants and the audit log; changes nothing.', 0, NULL, 0);
--> statement-breakpoint
INSERT INTO access_group_permissions (group_id, permission) VALUES
  ('grp_readonly_auditor', 'users:read'),
  ('grp_readonly_auditor', 'memberships:read'),
  ('grp_readonly_auditor', 'tenants:read'),
  ('grp_readonly_auditor', 'audit:read');
