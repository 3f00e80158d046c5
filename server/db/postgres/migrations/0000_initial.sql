CREATE TABLE "applications" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" text PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"action" text NOT NULL,
	"device_id" text,
	"application_id" text,
	"detail" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1)
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" text NOT NULL,
	"last_seen_at" text,
	"revoked_at" text,
	CONSTRAINT "devices_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "pairing_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"used_at" text
);
--> statement-breakpoint
CREATE TABLE "pairing_failures" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pairing_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"client" text NOT NULL,
	"at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_integrations" (
	"application_id" text PRIMARY KEY NOT NULL,
	"key_type" text NOT NULL,
	"mode" text NOT NULL,
	"masked_key" text NOT NULL,
	"account_id" text,
	"status" text NOT NULL,
	"permissions" text NOT NULL,
	"source" text NOT NULL,
	"connected_at" text NOT NULL,
	"last_validated_at" text,
	"last_error_code" text,
	"last_error_message" text,
	"fingerprint" text NOT NULL,
	"sealed_key" text NOT NULL,
	"key_id" text NOT NULL,
	"recheck_lease_until" text
);
--> statement-breakpoint
ALTER TABLE "stripe_integrations" ADD CONSTRAINT "stripe_integrations_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_seq" ON "audit_events" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "pairing_failures_client_at" ON "pairing_failures" USING btree ("client","at");--> statement-breakpoint
CREATE INDEX "stripe_integrations_fingerprint" ON "stripe_integrations" USING btree ("fingerprint");