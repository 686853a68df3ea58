CREATE TABLE `booking_drawers` (
	`site` integer NOT NULL,
	`id` text NOT NULL,
	`session_id` text NOT NULL,
	`kind` text,
	`opened_at` integer NOT NULL,
	`focused_at` integer,
	`closed_at` integer,
	`visible_ms` integer,
	`closed_by` text,
	PRIMARY KEY(`site`, `id`),
	FOREIGN KEY (`site`,`session_id`) REFERENCES `sessions`(`site`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `booking_drawers_site_opened_idx` ON `booking_drawers` (`site`,`opened_at`);--> statement-breakpoint
CREATE TABLE `contact_hashes` (
	`site` integer NOT NULL,
	`hash` text NOT NULL,
	`session_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`site`, `hash`, `session_id`),
	FOREIGN KEY (`site`,`session_id`) REFERENCES `sessions`(`site`,`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "contact_hashes_hash_is_hmac_hex" CHECK(length("contact_hashes"."hash") = 64 AND "contact_hashes"."hash" NOT GLOB '*[^0-9a-f]*')
);
--> statement-breakpoint
CREATE INDEX `contact_hashes_site_hash_at_idx` ON `contact_hashes` (`site`,`hash`,`at`);--> statement-breakpoint
CREATE INDEX `contact_hashes_session_idx` ON `contact_hashes` (`site`,`session_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`site` integer NOT NULL,
	`id` text NOT NULL,
	`session_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`url` text,
	`name` text,
	PRIMARY KEY(`site`, `id`),
	FOREIGN KEY (`site`,`session_id`) REFERENCES `sessions`(`site`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_session_idx` ON `events` (`site`,`session_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`site` integer NOT NULL,
	`id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`landing_url` text NOT NULL,
	`first_touch` text,
	`touch_type` text NOT NULL,
	`source` text NOT NULL,
	`medium` text NOT NULL,
	`campaign` text NOT NULL,
	`content` text NOT NULL,
	`term` text NOT NULL,
	`utm_id` text NOT NULL,
	`click_ids` text NOT NULL,
	`touch_landing_url` text,
	`touch_referrer` text NOT NULL,
	`touch_at` integer NOT NULL,
	PRIMARY KEY(`site`, `id`)
);
--> statement-breakpoint
CREATE INDEX `sessions_last_seen_idx` ON `sessions` (`last_seen_at`);