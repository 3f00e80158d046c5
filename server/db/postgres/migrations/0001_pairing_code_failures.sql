ALTER TABLE "pairing_codes" ADD COLUMN "failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Codes issued before were stored under an unkeyed digest (guessable offline): retire them.
DELETE FROM "pairing_codes";