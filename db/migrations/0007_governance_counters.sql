CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "budget_usage" (
	"budget_id" text NOT NULL,
	"window_key" text NOT NULL,
	"organisation_id" text NOT NULL,
	"committed" bigint DEFAULT 0 NOT NULL,
	"reserved" bigint DEFAULT 0 NOT NULL,
	"alerted_level" real DEFAULT 0 NOT NULL,
	"resets_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_usage_budget_id_window_key_pk" PRIMARY KEY("budget_id","window_key")
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" text NOT NULL,
	"budget_id" text NOT NULL,
	"window_key" text NOT NULL,
	"organisation_id" text NOT NULL,
	"request_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reservations_id_budget_id_window_key_pk" PRIMARY KEY("id","budget_id","window_key")
);
--> statement-breakpoint
CREATE INDEX "alerts_org_created_idx" ON "alerts" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_dedupe_uq" ON "alerts" USING btree ("organisation_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "reservations_expires_idx" ON "reservations" USING btree ("expires_at");