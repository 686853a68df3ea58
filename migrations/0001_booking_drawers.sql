CREATE TABLE `booking_drawers` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`session_id` text NOT NULL,
	`kind` text,
	`opened_at` integer NOT NULL,
	`focused_at` integer,
	`closed_at` integer,
	`visible_ms` integer,
	`closed_by` text,
	PRIMARY KEY(`site_id`, `id`),
	FOREIGN KEY (`site_id`,`session_id`) REFERENCES `sessions`(`site_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `booking_drawers_site_opened_idx` ON `booking_drawers` (`site_id`,`opened_at`);--> statement-breakpoint
DROP INDEX `events_site_type_at_idx`;--> statement-breakpoint
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`uid` text NOT NULL,
	`identity` text NOT NULL,
	`secret_key_enc` text NOT NULL,
	`send_requests` integer DEFAULT false NOT NULL,
	`send_deals` integer DEFAULT false NOT NULL,
	`secret_key_mask` text DEFAULT '••••' NOT NULL,
	`default_campaign_id` text,
	`default_source_id` text,
	`default_site_id` text,
	`online_source_ids` text DEFAULT '[]' NOT NULL,
	`site_ids` text DEFAULT '[]' NOT NULL,
	`lookback_days` integer DEFAULT 30 NOT NULL,
	`window_before_minutes` integer DEFAULT 30 NOT NULL,
	`window_after_minutes` integer DEFAULT 5 NOT NULL,
	`booking_window_rung` text DEFAULT 'on' NOT NULL,
	`time_zone` text DEFAULT 'Europe/Moscow' NOT NULL,
	`requests_cursor` integer,
	`deals_cursor` integer,
	`last_run_at` integer,
	`last_error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_integrations`("id", "account_id", "kind", "active", "uid", "identity", "secret_key_enc", "send_requests", "send_deals", "secret_key_mask", "default_campaign_id", "default_source_id", "default_site_id", "online_source_ids", "site_ids", "lookback_days", "window_before_minutes", "window_after_minutes", "booking_window_rung", "time_zone", "requests_cursor", "deals_cursor", "last_run_at", "last_error", "created_at", "updated_at") SELECT "id", "account_id", "kind", "active", "uid", "identity", "secret_key_enc", "send_requests", "send_deals", "secret_key_mask", "default_campaign_id", "default_source_id", "default_site_id", "online_source_ids", "site_ids", "lookback_days", "window_before_minutes", "window_after_minutes", "booking_window_rung", "time_zone", "requests_cursor", "deals_cursor", "last_run_at", "last_error", "created_at", "updated_at" FROM `integrations`;--> statement-breakpoint
DROP TABLE `integrations`;--> statement-breakpoint
ALTER TABLE `__new_integrations` RENAME TO `integrations`;--> statement-breakpoint
PRAGMA defer_foreign_keys = off;--> statement-breakpoint
CREATE INDEX `integrations_account_idx` ON `integrations` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `integrations_active_idx` ON `integrations` (`active`);--> statement-breakpoint
ALTER TABLE `import_runs` ADD `default_no_visit_signal` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `default_ambiguous` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `default_visit_taken` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `default_rung_off` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `default_no_created_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `default_reason` text;