CREATE TABLE `review_campaign_tenants` (
	`campaign_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	PRIMARY KEY(`campaign_id`, `tenant_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `review_campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `review_campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`all_tenants` integer NOT NULL,
	`membership_kinds` text NOT NULL,
	`cadence` text NOT NULL,
	`duration_days` integer NOT NULL,
	`client_say_on_staff` text NOT NULL,
	`justification_required` integer NOT NULL,
	`deadline_action` text NOT NULL,
	`inactive_after_days` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`next_run_at` integer,
	`stopped_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `review_campaigns_due_idx` ON `review_campaigns` (`next_run_at`) WHERE next_run_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `review_campaigns_created_idx` ON `review_campaigns` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `review_items` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`membership_id` text NOT NULL,
	`user_id` text NOT NULL,
	`member_name` text NOT NULL,
	`member_email` text NOT NULL,
	`membership_kind` text NOT NULL,
	`role` text NOT NULL,
	`expires_at` integer,
	`granted_by` text,
	`member_last_login_at` integer,
	`recommend_revoke` integer NOT NULL,
	`reviewer_key` text NOT NULL,
	`client_may_advise` integer NOT NULL,
	`status` text NOT NULL,
	`decision_source` text,
	`decided_at` integer,
	`decided_by` text,
	`decided_by_name` text,
	`justification` text,
	`flag` text,
	`advice` text,
	`advice_justification` text,
	`advised_by` text,
	`advised_by_name` text,
	`advised_at` integer,
	FOREIGN KEY (`run_id`) REFERENCES `review_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_items_run_membership_unique` ON `review_items` (`run_id`,`membership_id`);--> statement-breakpoint
CREATE INDEX `review_items_run_status_idx` ON `review_items` (`run_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `review_items_run_tenant_idx` ON `review_items` (`run_id`,`tenant_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `review_items_run_reviewer_idx` ON `review_items` (`run_id`,`reviewer_key`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `review_items_pending_membership_idx` ON `review_items` (`membership_id`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `review_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`name` text NOT NULL,
	`membership_kinds` text NOT NULL,
	`client_say_on_staff` text NOT NULL,
	`justification_required` integer NOT NULL,
	`deadline_action` text NOT NULL,
	`inactive_after_days` integer NOT NULL,
	`item_count` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `review_campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_runs_campaign_due_unique` ON `review_runs` (`campaign_id`,`due_at`);--> statement-breakpoint
CREATE INDEX `review_runs_open_deadline_idx` ON `review_runs` (`deadline_at`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `review_runs_opened_idx` ON `review_runs` (`opened_at`,`id`);