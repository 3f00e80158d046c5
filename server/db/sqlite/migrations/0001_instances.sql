CREATE TABLE `pairing_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pairing_failures_client_at` ON `pairing_failures` (`client`,`at`);--> statement-breakpoint
ALTER TABLE `stripe_integrations` ADD `recheck_lease_until` text;