PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_audit_events` (
	`id` text NOT NULL,
	`at` text NOT NULL,
	`action` text NOT NULL,
	`device_id` text,
	`application_id` text,
	`detail` text NOT NULL,
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL
);
--> statement-breakpoint
-- The log was listed by rowid, the order the events were written: it becomes their seq.
INSERT INTO `__new_audit_events`("id", "at", "action", "device_id", "application_id", "detail", "seq") SELECT "id", "at", "action", "device_id", "application_id", "detail", rowid FROM `audit_events` ORDER BY rowid;--> statement-breakpoint
DROP TABLE `audit_events`;--> statement-breakpoint
ALTER TABLE `__new_audit_events` RENAME TO `audit_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_id_unique` ON `audit_events` (`id`);--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);