ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_organisation_id_organisations_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_department_id_departments_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_project_id_projects_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_api_key_id_api_keys_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_events" DROP CONSTRAINT "ledger_events_price_id_model_prices_id_fk";
