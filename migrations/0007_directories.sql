CREATE TABLE `directories` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`tenant_id` text,
	`last_request_at` integer,
	`last_change_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directories_tenant_unique` ON `directories` (`tenant_id`) WHERE scope = 'tenant';--> statement-breakpoint
CREATE UNIQUE INDEX `directories_staff_unique` ON `directories` (`scope`) WHERE scope = 'staff';--> statement-breakpoint
CREATE TABLE `directory_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`directory_id` text NOT NULL,
	`at` integer NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`status` integer NOT NULL,
	`scim_type` text,
	`detail` text NOT NULL,
	FOREIGN KEY (`directory_id`) REFERENCES `directories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `directory_errors_directory_idx` ON `directory_errors` (`directory_id`,`id`);--> statement-breakpoint
CREATE TABLE `directory_group_members` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `directory_groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `directory_group_members_user_idx` ON `directory_group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `directory_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`directory_id` text NOT NULL,
	`display_name` text NOT NULL,
	`external_id` text,
	`mapped_role` text,
	`access_group_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`directory_id`) REFERENCES `directories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`access_group_id`) REFERENCES `access_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directory_groups_name_unique` ON `directory_groups` (`directory_id`,lower("display_name"));--> statement-breakpoint
CREATE INDEX `directory_groups_external_id_idx` ON `directory_groups` (`directory_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `directory_groups_list_idx` ON `directory_groups` (`directory_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `directory_groups_access_group_idx` ON `directory_groups` (`access_group_id`);--> statement-breakpoint
CREATE TABLE `directory_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`directory_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`directory_id`) REFERENCES `directories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directory_tokens_hash_unique` ON `directory_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `directory_tokens_directory_idx` ON `directory_tokens` (`directory_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `directory_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`directory_id` text NOT NULL,
	`user_name` text NOT NULL,
	`user_name_key` text NOT NULL,
	`external_id` text,
	`attributes` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`directory_id`) REFERENCES `directories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directory_users_user_name_unique` ON `directory_users` (`directory_id`,`user_name_key`);--> statement-breakpoint
CREATE INDEX `directory_users_external_id_idx` ON `directory_users` (`directory_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `directory_users_list_idx` ON `directory_users` (`directory_id`,`created_at`,`user_id`);