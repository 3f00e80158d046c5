ALTER TABLE `applications` ADD `stripe_account` text;--> statement-breakpoint
ALTER TABLE `stripe_integrations` ADD `account_name` text;--> statement-breakpoint
ALTER TABLE `stripe_integrations` ADD `key_expires_at` text;