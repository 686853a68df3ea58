ALTER TABLE `import_runs` ADD `details` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `integrations` ADD `last_check` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `deleted_at` integer;