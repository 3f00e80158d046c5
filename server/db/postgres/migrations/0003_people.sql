CREATE TABLE "people" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"role" text NOT NULL,
	"created_at" text NOT NULL,
	"disabled_at" text,
	CONSTRAINT "people_email_unique" UNIQUE("email")
);
--> statement-breakpoint
-- Codes used or expired would need a person they were never issued for: purge them as pairing does.
DELETE FROM "pairing_codes" WHERE "used_at" IS NOT NULL OR "expires_at" <= to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');--> statement-breakpoint
-- A backend already in use (devices, or a pending pairing code) gets its one person: Owner, an admin.
-- The id is newId('per')'s shape: per_ and 16 random base-36 characters. A new backend gets nobody:
-- its first pairing creates Owner.
INSERT INTO "people" ("id", "name", "email", "role", "created_at", "disabled_at")
SELECT 'per_' || (
		SELECT string_agg(substr('0123456789abcdefghijklmnopqrstuvwxyz', 1 + floor(random() * 36)::int, 1), '') FROM generate_series(1, 16)
	), 'Owner', NULL, 'admin', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), NULL
WHERE EXISTS (SELECT 1 FROM "devices") OR EXISTS (SELECT 1 FROM "pairing_codes");--> statement-breakpoint
CREATE TABLE "invites" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"used_at" text
);
--> statement-breakpoint
CREATE TABLE "passkeys" (
	"id" text PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"public_key" text NOT NULL,
	"counter" bigint NOT NULL,
	"transports" text NOT NULL,
	"created_at" text NOT NULL,
	"last_used_at" text
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"cookie_hash" text NOT NULL,
	"secret_hash" text NOT NULL,
	"method" text NOT NULL,
	"user_agent" text,
	"created_at" text NOT NULL,
	"last_seen_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"revoked_at" text,
	CONSTRAINT "sessions_cookie_hash_unique" UNIQUE("cookie_hash")
);
--> statement-breakpoint
CREATE TABLE "sign_in_flows" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"data" text NOT NULL,
	"expires_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "person_id" text;--> statement-breakpoint
UPDATE "devices" SET "person_id" = (SELECT "id" FROM "people");--> statement-breakpoint
ALTER TABLE "devices" ALTER COLUMN "person_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "pairing_codes" ADD COLUMN "person_id" text;--> statement-breakpoint
UPDATE "pairing_codes" SET "person_id" = (SELECT "id" FROM "people");--> statement-breakpoint
ALTER TABLE "pairing_codes" ALTER COLUMN "person_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "person_id" text;--> statement-breakpoint
-- Every device was Owner's, so what a device did, Owner did; the server's own events stay without a person.
UPDATE "audit_events" SET "person_id" = (SELECT "id" FROM "people") WHERE "device_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passkeys" ADD CONSTRAINT "passkeys_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "passkeys_person_id" ON "passkeys" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "sessions_person_id" ON "sessions" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "sign_in_flows_expires_at" ON "sign_in_flows" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing_codes" ADD CONSTRAINT "pairing_codes_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_person_id" ON "devices" USING btree ("person_id");
