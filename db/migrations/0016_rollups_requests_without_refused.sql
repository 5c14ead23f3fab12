-- Refused calls leave the rollups' `requests` (a refused call is not a request, as budgets count them), and the
-- `refused` column 0014 kept them apart in goes: every reader took requests - refused, none read refused alone.
UPDATE "ledger_daily" SET "requests" = "requests" - "refused" WHERE "refused" <> 0;--> statement-breakpoint
UPDATE "ledger_daily_keys" SET "requests" = "requests" - "refused" WHERE "refused" <> 0;--> statement-breakpoint
UPDATE "ledger_daily_models" SET "requests" = "requests" - "refused" WHERE "refused" <> 0;--> statement-breakpoint
UPDATE "ledger_hourly" SET "requests" = "requests" - "refused" WHERE "refused" <> 0;--> statement-breakpoint
ALTER TABLE "ledger_daily" DROP COLUMN "refused";--> statement-breakpoint
ALTER TABLE "ledger_daily_keys" DROP COLUMN "refused";--> statement-breakpoint
ALTER TABLE "ledger_daily_models" DROP COLUMN "refused";--> statement-breakpoint
ALTER TABLE "ledger_hourly" DROP COLUMN "refused";