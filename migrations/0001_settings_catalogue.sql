CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`utm_source` text,
	`utm_medium` text,
	`utm_campaign` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaigns_account_idx` ON `campaigns` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sources_account_idx` ON `sources` (`account_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `integrations` ADD `secret_key_mask` text DEFAULT '••••' NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `default_campaign_id` text REFERENCES campaigns(id);--> statement-breakpoint
ALTER TABLE `integrations` ADD `default_source_id` text REFERENCES sources(id);--> statement-breakpoint
ALTER TABLE `integrations` ADD `default_site_id` text REFERENCES sites(id);--> statement-breakpoint
ALTER TABLE `integrations` ADD `online_source_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `site_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `lookback_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `window_before_minutes` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `window_after_minutes` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `requests_cursor` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `deals_cursor` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `last_run_at` integer;--> statement-breakpoint
ALTER TABLE `integrations` ADD `last_error` text;