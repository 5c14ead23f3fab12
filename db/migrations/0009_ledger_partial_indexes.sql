DROP INDEX "ledger_events_department_time_idx";--> statement-breakpoint
DROP INDEX "ledger_events_session_idx";--> statement-breakpoint
DROP INDEX "ledger_events_workflow_run_idx";--> statement-breakpoint
DROP INDEX "ledger_events_api_key_time_idx";--> statement-breakpoint
CREATE INDEX "ledger_events_department_time_idx" ON "ledger_events" USING btree ("department_id","occurred_at") WHERE "ledger_events"."department_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_events_session_idx" ON "ledger_events" USING btree ("session_id") WHERE "ledger_events"."session_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_events_workflow_run_idx" ON "ledger_events" USING btree ("workflow_run_id") WHERE "ledger_events"."workflow_run_id" is not null;--> statement-breakpoint
CREATE INDEX "ledger_events_api_key_time_idx" ON "ledger_events" USING btree ("api_key_id","occurred_at") WHERE "ledger_events"."api_key_id" is not null;