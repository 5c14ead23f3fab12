CREATE TABLE "ledger_daily_users" (
	"organisation_id" text NOT NULL,
	"day" date NOT NULL,
	"user_id" text NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"cost_nano" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_daily_users_dims_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","day","user_id")
);
--> statement-breakpoint
-- Backfill from the ledger, as the writers keep it from now on: calls that ran (a refused call is not a request), tokens and cost, per organisation, UTC day and person.
INSERT INTO "ledger_daily_users" ("organisation_id", "day", "user_id", "requests", "tokens", "cost_nano")
SELECT organisation_id, (occurred_at at time zone 'UTC')::date, user_id,
       count(*) filter (where status <> 'refused'),
       coalesce(sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens), 0),
       coalesce(sum(cost_nano), 0)
  FROM ledger_events
 WHERE user_id IS NOT NULL
 GROUP BY 1, 2, 3;
