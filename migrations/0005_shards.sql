-- Visit data moves to the visits shards (migrations-visits/). The old tables are left in place, unread, so
-- a deployment that predates the shards loses nothing by migrating; a later migration drops them.
-- Hand-edited: visits_key is added nullable (SQLite refuses a NOT NULL column without a default) and filled
-- for the existing sites from visits_keys, and a trigger draws a key for a row inserted without one
-- (the app's own inserts draw theirs first: edge/db/catalogue.ts).
CREATE TABLE `visits_keys` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL
);
--> statement-breakpoint
ALTER TABLE `sites` ADD `shard` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `visits_key` integer;--> statement-breakpoint
ALTER TABLE `sites` ADD `move_to` integer;--> statement-breakpoint
ALTER TABLE `sites` ADD `move_from` integer;--> statement-breakpoint
ALTER TABLE `sites` ADD `move_cursor` text;--> statement-breakpoint
INSERT INTO `visits_keys` (`key`) SELECT `rowid` FROM `sites` ORDER BY `rowid`;--> statement-breakpoint
UPDATE `sites` SET `visits_key` = `rowid`;--> statement-breakpoint
CREATE UNIQUE INDEX `sites_visits_key_unique` ON `sites` (`visits_key`);--> statement-breakpoint
CREATE TRIGGER `sites_visits_key_drawn` AFTER INSERT ON `sites` WHEN NEW.`visits_key` IS NULL
BEGIN
  INSERT INTO `visits_keys` (`key`) VALUES (NULL);
  UPDATE `sites` SET `visits_key` = last_insert_rowid() WHERE `rowid` = NEW.`rowid`;
END;
