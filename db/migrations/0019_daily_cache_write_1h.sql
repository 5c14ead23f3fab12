ALTER TABLE "ledger_daily" ADD COLUMN "cache_write_1h_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill from the ledger, as the writers keep it from now on: 1-hour cache writes per daily group (groups without any stay at 0).
UPDATE "ledger_daily" d
   SET "cache_write_1h_tokens" = s.tokens
  FROM (
    SELECT organisation_id, (occurred_at at time zone 'UTC')::date AS day, department_id, project_id, model_name, tier, task_type,
           sum(cache_write_1h_tokens) AS tokens
      FROM ledger_events
     WHERE cache_write_1h_tokens <> 0
     GROUP BY 1, 2, 3, 4, 5, 6, 7
  ) s
 WHERE d.organisation_id = s.organisation_id AND d.day = s.day
   AND d.department_id IS NOT DISTINCT FROM s.department_id AND d.project_id IS NOT DISTINCT FROM s.project_id
   AND d.model_name = s.model_name AND d.tier = s.tier AND d.task_type IS NOT DISTINCT FROM s.task_type;
