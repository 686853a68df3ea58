CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
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
CREATE INDEX `sites_account_idx` ON `sites` (`account_id`,`created_at`,`id`);--> statement-breakpoint
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
CREATE TABLE `contact_hashes` (
	`site_id` text NOT NULL,
	`hash` text NOT NULL,
	`session_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `hash`, `session_id`),
	FOREIGN KEY (`site_id`,`session_id`) REFERENCES `sessions`(`site_id`,`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "contact_hashes_hash_is_hmac_hex" CHECK(length("contact_hashes"."hash") = 64 AND "contact_hashes"."hash" NOT GLOB '*[^0-9a-f]*')
);
--> statement-breakpoint
CREATE INDEX `contact_hashes_site_hash_at_idx` ON `contact_hashes` (`site_id`,`hash`,`at`);--> statement-breakpoint
CREATE INDEX `contact_hashes_session_idx` ON `contact_hashes` (`site_id`,`session_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`session_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`url` text,
	`name` text,
	PRIMARY KEY(`site_id`, `id`),
	FOREIGN KEY (`site_id`,`session_id`) REFERENCES `sessions`(`site_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_site_type_at_idx` ON `events` (`site_id`,`type`,`at`);--> statement-breakpoint
CREATE INDEX `events_session_idx` ON `events` (`site_id`,`session_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`landing_url` text NOT NULL,
	`first_touch` text NOT NULL,
	`touch_type` text NOT NULL,
	`source` text NOT NULL,
	`medium` text NOT NULL,
	`campaign` text NOT NULL,
	`content` text NOT NULL,
	`term` text NOT NULL,
	`utm_id` text NOT NULL,
	`click_ids` text NOT NULL,
	`touch_landing_url` text NOT NULL,
	`touch_referrer` text NOT NULL,
	`touch_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `id`),
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_last_seen_idx` ON `sessions` (`last_seen_at`);--> statement-breakpoint
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
CREATE TABLE `import_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`kind` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`updated_at_after` integer NOT NULL,
	`next_offset` integer DEFAULT 0 NOT NULL,
	`pages` integer DEFAULT 0 NOT NULL,
	`fetched` integer DEFAULT 0 NOT NULL,
	`stored` integer DEFAULT 0 NOT NULL,
	`matched_session_id` integer DEFAULT 0 NOT NULL,
	`matched_contact` integer DEFAULT 0 NOT NULL,
	`matched_booking_window` integer DEFAULT 0 NOT NULL,
	`defaulted` integer DEFAULT 0 NOT NULL,
	`malformed` integer DEFAULT 0 NOT NULL,
	`amount_unknown` integer DEFAULT 0 NOT NULL,
	`retries` integer DEFAULT 0 NOT NULL,
	`medods_requests` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `import_runs_account_idx` ON `import_runs` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `import_runs_integration_idx` ON `import_runs` (`integration_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `medods_clients` (
	`integration_id` text NOT NULL,
	`medods_id` integer NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`email` text,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`integration_id`, `medods_id`)
);
--> statement-breakpoint
CREATE TABLE `medods_users` (
	`integration_id` text NOT NULL,
	`medods_id` integer NOT NULL,
	`name` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`integration_id`, `medods_id`)
);
--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`integration_id` text NOT NULL,
	`medods_appointment_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`created_at_known` integer NOT NULL,
	`medods_client_id` integer,
	`name` text,
	`phone` text,
	`email` text,
	`doctor` text,
	`status` text,
	`match_method` text NOT NULL,
	`candidates` integer NOT NULL,
	`session_id` text,
	`campaign_id` text,
	`source_id` text,
	`site_id` text,
	`attribution` text,
	`imported_at` integer NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `requests_appointment_unique` ON `requests` (`integration_id`,`medods_appointment_id`);--> statement-breakpoint
CREATE INDEX `requests_account_idx` ON `requests` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `requests_session_idx` ON `requests` (`integration_id`,`session_id`);--> statement-breakpoint
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
	`secret_key_mask` text DEFAULT '••••' NOT NULL,
	`default_campaign_id` text,
	`default_source_id` text,
	`default_site_id` text,
	`online_source_ids` text DEFAULT '[]' NOT NULL,
	`site_ids` text DEFAULT '[]' NOT NULL,
	`lookback_days` integer DEFAULT 30 NOT NULL,
	`window_before_minutes` integer DEFAULT 30 NOT NULL,
	`window_after_minutes` integer DEFAULT 5 NOT NULL,
	`booking_window_rung` text DEFAULT 'off' NOT NULL,
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
CREATE INDEX `integrations_account_idx` ON `integrations` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `integrations_active_idx` ON `integrations` (`active`);