CREATE TABLE `people` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`role` text NOT NULL,
	`created_at` text NOT NULL,
	`disabled_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `people_email_unique` ON `people` (`email`);--> statement-breakpoint
-- Codes used or expired would need a person they were never issued for: purge them as pairing does.
DELETE FROM `pairing_codes` WHERE `used_at` IS NOT NULL OR `expires_at` <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now');--> statement-breakpoint
-- A backend already in use (devices, or a pending pairing code) gets its one person: Owner, an admin.
-- The id is newId('per')'s shape: per_ and 16 random base-36 characters. A new backend gets nobody:
-- its first pairing creates Owner.
INSERT INTO `people` (`id`, `name`, `email`, `role`, `created_at`, `disabled_at`)
SELECT 'per_' || (
		WITH RECURSIVE `n`(`i`) AS (SELECT 1 UNION ALL SELECT `i` + 1 FROM `n` WHERE `i` < 16)
		SELECT group_concat(substr('0123456789abcdefghijklmnopqrstuvwxyz', 1 + abs(random() % 36), 1), '') FROM `n`
	), 'Owner', NULL, 'admin', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL
WHERE EXISTS (SELECT 1 FROM `devices`) OR EXISTS (SELECT 1 FROM `pairing_codes`);--> statement-breakpoint
-- SQLite cannot add a NOT NULL column with a foreign key: devices and pairing_codes are rebuilt,
-- their rows given to Owner (the only person there can be yet). No table refers to either.
CREATE TABLE `__new_devices` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seen_at` text,
	`revoked_at` text,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_devices`("id", "person_id", "name", "token_hash", "created_at", "last_seen_at", "revoked_at") SELECT "id", (SELECT "id" FROM `people`), "name", "token_hash", "created_at", "last_seen_at", "revoked_at" FROM `devices`;--> statement-breakpoint
DROP TABLE `devices`;--> statement-breakpoint
ALTER TABLE `__new_devices` RENAME TO `devices`;--> statement-breakpoint
CREATE UNIQUE INDEX `devices_token_hash_unique` ON `devices` (`token_hash`);--> statement-breakpoint
CREATE INDEX `devices_person_id` ON `devices` (`person_id`);--> statement-breakpoint
CREATE TABLE `__new_pairing_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	`failures` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_pairing_codes`("code_hash", "person_id", "created_at", "expires_at", "used_at", "failures") SELECT "code_hash", (SELECT "id" FROM `people`), "created_at", "expires_at", "used_at", "failures" FROM `pairing_codes`;--> statement-breakpoint
DROP TABLE `pairing_codes`;--> statement-breakpoint
ALTER TABLE `__new_pairing_codes` RENAME TO `pairing_codes`;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `person_id` text;--> statement-breakpoint
-- Every device was Owner's, so what a device did, Owner did; the server's own events stay without a person.
UPDATE `audit_events` SET `person_id` = (SELECT "id" FROM `people`) WHERE `device_id` IS NOT NULL;--> statement-breakpoint
CREATE TABLE `invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer NOT NULL,
	`transports` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `passkeys_person_id` ON `passkeys` (`person_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`cookie_hash` text NOT NULL,
	`secret_hash` text NOT NULL,
	`method` text NOT NULL,
	`user_agent` text,
	`created_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_cookie_hash_unique` ON `sessions` (`cookie_hash`);--> statement-breakpoint
CREATE INDEX `sessions_person_id` ON `sessions` (`person_id`);--> statement-breakpoint
CREATE TABLE `sign_in_flows` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sign_in_flows_expires_at` ON `sign_in_flows` (`expires_at`);
