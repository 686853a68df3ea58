ALTER TABLE `integrations` ADD `booking_window_rung` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
CREATE INDEX `requests_session_idx` ON `requests` (`integration_id`,`session_id`);