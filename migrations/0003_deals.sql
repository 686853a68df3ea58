CREATE TABLE `deal_stage_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deal_id` text NOT NULL,
	`from_stage_id` text,
	`to_stage_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deal_stage_history_deal_idx` ON `deal_stage_history` (`deal_id`,`id`);--> statement-breakpoint
CREATE TABLE `deals` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`medods_appointment_id` integer NOT NULL,
	`pipeline_id` text NOT NULL,
	`stage_id` text NOT NULL,
	`title` text NOT NULL,
	`amount` real,
	`currency` text DEFAULT 'RUB' NOT NULL,
	`medods_client_id` integer,
	`medods_user_id` integer,
	`medods_order_id` integer,
	`created_at` integer NOT NULL,
	`created_at_known` integer NOT NULL,
	`modified_at` integer NOT NULL,
	`stage_changed_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deals_appointment_unique` ON `deals` (`integration_id`,`medods_appointment_id`);--> statement-breakpoint
CREATE INDEX `deals_account_modified_idx` ON `deals` (`account_id`,`modified_at`,`id`);--> statement-breakpoint
CREATE TABLE `pipeline_stages` (
	`id` text PRIMARY KEY NOT NULL,
	`pipeline_id` text NOT NULL,
	`medods_status` text NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`sort_order` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipeline_stages_status_unique` ON `pipeline_stages` (`pipeline_id`,`medods_status`);--> statement-breakpoint
CREATE TABLE `pipelines` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_integration_key_unique` ON `pipelines` (`integration_id`,`key`);--> statement-breakpoint
CREATE INDEX `pipelines_account_idx` ON `pipelines` (`account_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `import_runs` ADD `amount_unknown` integer DEFAULT 0 NOT NULL;