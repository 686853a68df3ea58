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
CREATE INDEX `sessions_last_seen_idx` ON `sessions` (`last_seen_at`);