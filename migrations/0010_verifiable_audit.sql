CREATE TABLE `audit_checkpoints` (
	`tree_size` integer PRIMARY KEY NOT NULL,
	`last_event_id` integer NOT NULL,
	`root_hash` text NOT NULL,
	`signed_note` text NOT NULL,
	`key_id` text NOT NULL,
	`sealed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_findings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`event_id` integer,
	`leaf_index` integer,
	`problem` text NOT NULL,
	`detected_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_findings_subject_problem_unique` ON `audit_findings` (`subject`,`problem`);--> statement-breakpoint
CREATE INDEX `audit_findings_open_idx` ON `audit_findings` (`acknowledged_at`);--> statement-breakpoint
CREATE TABLE `audit_leaves` (
	`leaf_index` integer PRIMARY KEY NOT NULL,
	`event_id` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_leaves_event_unique` ON `audit_leaves` (`event_id`);--> statement-breakpoint
CREATE TABLE `audit_tree` (
	`id` integer PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`last_event_id` integer NOT NULL,
	`frontier` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_tree_nodes` (
	`position` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_verification` (
	`id` integer PRIMARY KEY NOT NULL,
	`next_leaf_index` integer NOT NULL
);
--> statement-breakpoint
-- The tree starts empty (RFC 9162: size 0) and the rolling check at leaf 0; existing audit events
-- become leaves in id order as the sequencer catches up (docs/AUDIT.md "Verifying the log").
INSERT INTO `audit_tree` (`id`, `size`, `last_event_id`, `frontier`) VALUES (1, 0, 0, '[]');
--> statement-breakpoint
INSERT INTO `audit_verification` (`id`, `next_leaf_index`) VALUES (1, 0);
--> statement-breakpoint
-- What the log has recorded never changes: leaves, nodes and checkpoints refuse UPDATE and DELETE
-- like audit_events (migration 0001).
CREATE TRIGGER audit_leaves_refuse_update BEFORE UPDATE ON audit_leaves
BEGIN
  SELECT RAISE(ABORT, 'audit_leaves is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_leaves_refuse_delete BEFORE DELETE ON audit_leaves
BEGIN
  SELECT RAISE(ABORT, 'audit_leaves is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_refuse_update BEFORE UPDATE ON audit_tree_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_tree_nodes is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_refuse_delete BEFORE DELETE ON audit_tree_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_tree_nodes is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_refuse_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_refuse_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
