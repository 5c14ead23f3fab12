CREATE TABLE "ledger_daily_models" (
	"organisation_id" text NOT NULL,
	"day" date NOT NULL,
	"department_id" text,
	"model_name" text NOT NULL,
	"tier" text NOT NULL,
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
	CONSTRAINT "ledger_daily_models_dims_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","day","department_id","model_name","tier")
);--> statement-breakpoint
-- Filled from the daily rollups, whose totals equal the ledger's.
INSERT INTO "ledger_daily_models" (organisation_id, day, department_id, model_name, tier, requests, errors, cache_hits, unpriced, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano, list_cost_nano, saved_nano)
SELECT organisation_id, day, department_id, model_name, tier, sum(requests), sum(errors), sum(cache_hits), sum(unpriced), sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens), sum(output_tokens), sum(reasoning_tokens), sum(cost_nano), sum(list_cost_nano), sum(saved_nano)
FROM "ledger_daily" GROUP BY 1, 2, 3, 4, 5;--> statement-breakpoint
-- The hourly rows, summed to the coarser dimensions, are put back once the columns are gone.
CREATE TEMPORARY TABLE "ledger_hourly_coarse" AS
SELECT organisation_id, hour, department_id, sum(requests) AS requests, sum(errors) AS errors, sum(cache_hits) AS cache_hits, sum(unpriced) AS unpriced, sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens, sum(cost_nano) AS cost_nano, sum(list_cost_nano) AS list_cost_nano, sum(saved_nano) AS saved_nano
FROM "ledger_hourly" GROUP BY 1, 2, 3;--> statement-breakpoint
DELETE FROM "ledger_hourly";
--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP CONSTRAINT "ledger_hourly_dims_uq";--> statement-breakpoint
DROP INDEX "ledger_hourly_org_hour_idx";--> statement-breakpoint
DROP INDEX "ledger_hourly_department_hour_idx";--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP COLUMN "project_id";--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP COLUMN "model_name";--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP COLUMN "tier";--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP COLUMN "task_type";--> statement-breakpoint
ALTER TABLE "ledger_hourly" ADD CONSTRAINT "ledger_hourly_dims_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","hour","department_id");--> statement-breakpoint
INSERT INTO "ledger_hourly" (organisation_id, hour, department_id, requests, errors, cache_hits, unpriced, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano, list_cost_nano, saved_nano)
SELECT organisation_id, hour, department_id, requests, errors, cache_hits, unpriced, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano, list_cost_nano, saved_nano FROM "ledger_hourly_coarse";
--> statement-breakpoint
DROP TABLE "ledger_hourly_coarse";
