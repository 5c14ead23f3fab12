ALTER TABLE "ledger_daily" ADD COLUMN "refused" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_daily_keys" ADD COLUMN "refused" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_daily_models" ADD COLUMN "refused" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_hourly" ADD COLUMN "refused" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Refused calls already in the ledger, counted into each rollup's new column (the rollups' own grouping; nullable dimensions match as equal).
UPDATE "ledger_hourly" AS r SET "refused" = x.n
  FROM (SELECT organisation_id, date_trunc('hour', occurred_at, 'UTC') AS hour, department_id, count(*) AS n
          FROM "ledger_events" WHERE status = 'refused' GROUP BY 1, 2, 3) AS x
 WHERE r.organisation_id = x.organisation_id AND r.hour = x.hour AND r.department_id IS NOT DISTINCT FROM x.department_id;--> statement-breakpoint
UPDATE "ledger_daily" AS r SET "refused" = x.n
  FROM (SELECT organisation_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, department_id, project_id, model_name, tier, task_type, count(*) AS n
          FROM "ledger_events" WHERE status = 'refused' GROUP BY 1, 2, 3, 4, 5, 6, 7) AS x
 WHERE r.organisation_id = x.organisation_id AND r.day = x.day AND r.department_id IS NOT DISTINCT FROM x.department_id
   AND r.project_id IS NOT DISTINCT FROM x.project_id AND r.model_name IS NOT DISTINCT FROM x.model_name
   AND r.tier IS NOT DISTINCT FROM x.tier AND r.task_type IS NOT DISTINCT FROM x.task_type;--> statement-breakpoint
UPDATE "ledger_daily_models" AS r SET "refused" = x.n
  FROM (SELECT organisation_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, department_id, model_name, tier, count(*) AS n
          FROM "ledger_events" WHERE status = 'refused' GROUP BY 1, 2, 3, 4, 5) AS x
 WHERE r.organisation_id = x.organisation_id AND r.day = x.day AND r.department_id IS NOT DISTINCT FROM x.department_id
   AND r.model_name IS NOT DISTINCT FROM x.model_name AND r.tier IS NOT DISTINCT FROM x.tier;--> statement-breakpoint
UPDATE "ledger_daily_keys" AS r SET "refused" = x.n
  FROM (SELECT organisation_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, api_key_id, department_id, count(*) AS n
          FROM "ledger_events" WHERE status = 'refused' AND api_key_id IS NOT NULL GROUP BY 1, 2, 3, 4) AS x
 WHERE r.organisation_id = x.organisation_id AND r.day = x.day AND r.api_key_id = x.api_key_id AND r.department_id IS NOT DISTINCT FROM x.department_id;
