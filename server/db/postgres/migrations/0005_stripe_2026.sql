ALTER TABLE "applications" ADD COLUMN "stripe_account" text;--> statement-breakpoint
ALTER TABLE "stripe_integrations" ADD COLUMN "account_name" text;--> statement-breakpoint
ALTER TABLE "stripe_integrations" ADD COLUMN "key_expires_at" text;