CREATE TABLE "ledger_daily" (
	"organisation_id" text NOT NULL,
	"day" date NOT NULL,
	"department_id" text,
	"project_id" text,
	"model_name" text NOT NULL,
	"tier" text NOT NULL,
	"task_type" text,
	"requests" bigint DEFAULT 0 NOT NULL,
	"errors" bigint DEFAULT 0 NOT NULL,
	"cache_hits" bigint DEFAULT 0 NOT NULL,
	"unpriced" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_input_tokens" bigint DEFAULT 0 NOT NULL,
	"cache_write_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"reasoning_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_nano" bigint DEFAULT 0 NOT NULL,
	"list_cost_nano" bigint DEFAULT 0 NOT NULL,
	"saved_nano" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_daily_dims_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","day","department_id","project_id","model_name","tier","task_type")
);
--> statement-breakpoint
CREATE INDEX "ledger_daily_org_day_idx" ON "ledger_daily" USING btree ("organisation_id","day");--> statement-breakpoint
CREATE INDEX "ledger_daily_department_day_idx" ON "ledger_daily" USING btree ("department_id","day");