CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`uid` text NOT NULL,
	`identity` text NOT NULL,
	`secret_key_enc` text NOT NULL,
	`send_requests` integer DEFAULT false NOT NULL,
	`send_deals` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `integrations_account_idx` ON `integrations` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `integrations_active_idx` ON `integrations` (`active`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`site_key` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_site_key_unique` ON `sites` (`site_key`);--> statement-breakpoint
CREATE INDEX `sites_account_idx` ON `sites` (`account_id`,`created_at`,`id`);