DROP INDEX "ledger_events_session_idx";--> statement-breakpoint
DROP INDEX "ledger_events_workflow_run_idx";--> statement-breakpoint
CREATE INDEX "ledger_events_session_idx" ON "ledger_events" USING hash ("session_id") WHERE "ledger_events"."session_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_events_workflow_run_idx" ON "ledger_events" USING hash ("workflow_run_id") WHERE "ledger_events"."workflow_run_id" is not null;