CREATE TABLE "ledger_daily_keys" (
	"organisation_id" text NOT NULL,
	"day" date NOT NULL,
	"api_key_id" text NOT NULL,
	"department_id" text,
	"requests" bigint DEFAULT 0 NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"cost_nano" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_daily_keys_dims_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","day","api_key_id","department_id")
);
--> statement-breakpoint
CREATE INDEX "ledger_daily_keys_org_day_idx" ON "ledger_daily_keys" USING btree ("organisation_id","day");