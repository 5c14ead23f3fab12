ALTER TABLE "billing_lines" DROP CONSTRAINT "billing_lines_key_uq";--> statement-breakpoint
ALTER TABLE "billing_lines" ADD COLUMN "covered_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "billing_lines" ADD COLUMN "covered_to" timestamp with time zone;--> statement-breakpoint
-- Lines imported before spans were kept were one per day and key: they stand for their whole day.
UPDATE "billing_lines" SET "covered_from" = ("day"::timestamp AT TIME ZONE 'UTC'), "covered_to" = (("day" + 1)::timestamp AT TIME ZONE 'UTC');--> statement-breakpoint
ALTER TABLE "billing_lines" ALTER COLUMN "covered_from" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_lines" ALTER COLUMN "covered_to" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_lines" ADD CONSTRAINT "billing_lines_key_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","provider","day","model_name","external_project_id","line_item","covered_from");
