-- The gateway writes a cache hit as its match kind ('exact' or 'semantic'), which the rollups, counting only 'hit', missed.
-- Recount cache_hits in every group that holds such rows (groups with none are already right).
UPDATE "ledger_hourly" AS r SET "cache_hits" = x.n
  FROM (SELECT organisation_id, date_trunc('hour', occurred_at, 'UTC') AS hour, department_id,
               count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic', 'hit')) AS n
          FROM "ledger_events" GROUP BY 1, 2, 3 HAVING count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic')) > 0) AS x
 WHERE r.organisation_id = x.organisation_id AND r.hour = x.hour AND r.department_id IS NOT DISTINCT FROM x.department_id;--> statement-breakpoint
UPDATE "ledger_daily" AS r SET "cache_hits" = x.n
  FROM (SELECT organisation_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, department_id, project_id, model_name, tier, task_type,
               count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic', 'hit')) AS n
          FROM "ledger_events" GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic')) > 0) AS x
 WHERE r.organisation_id = x.organisation_id AND r.day = x.day AND r.department_id IS NOT DISTINCT FROM x.department_id
   AND r.project_id IS NOT DISTINCT FROM x.project_id AND r.model_name IS NOT DISTINCT FROM x.model_name
   AND r.tier IS NOT DISTINCT FROM x.tier AND r.task_type IS NOT DISTINCT FROM x.task_type;--> statement-breakpoint
UPDATE "ledger_daily_models" AS r SET "cache_hits" = x.n
  FROM (SELECT organisation_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, department_id, model_name, tier,
               count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic', 'hit')) AS n
          FROM "ledger_events" GROUP BY 1, 2, 3, 4, 5 HAVING count(*) FILTER (WHERE cache_hit IN ('exact', 'semantic')) > 0) AS x
 WHERE r.organisation_id = x.organisation_id AND r.day = x.day AND r.department_id IS NOT DISTINCT FROM x.department_id
   AND r.model_name IS NOT DISTINCT FROM x.model_name AND r.tier IS NOT DISTINCT FROM x.tier;
