CREATE TABLE "billing_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"provider" text NOT NULL,
	"format" text NOT NULL,
	"checksum" text NOT NULL,
	"lines" integer NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_by" text
);
--> statement-breakpoint
CREATE TABLE "billing_lines" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"import_id" text NOT NULL,
	"provider" text NOT NULL,
	"day" date NOT NULL,
	"model_name" text,
	"external_project_id" text,
	"project_id" text,
	"line_item" text NOT NULL,
	"amount_nano" bigint NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"input_tokens" bigint,
	"cached_input_tokens" bigint,
	"output_tokens" bigint,
	"requests" bigint,
	"raw" jsonb,
	CONSTRAINT "billing_lines_key_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","provider","day","model_name","external_project_id","line_item")
);
--> statement-breakpoint
CREATE TABLE "provider_project_links" (
	"organisation_id" text NOT NULL,
	"provider" text NOT NULL,
	"external_project_id" text NOT NULL,
	"project_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_imports" ADD CONSTRAINT "billing_imports_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_lines" ADD CONSTRAINT "billing_lines_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_lines" ADD CONSTRAINT "billing_lines_import_id_billing_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."billing_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_lines" ADD CONSTRAINT "billing_lines_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_project_links" ADD CONSTRAINT "provider_project_links_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_project_links" ADD CONSTRAINT "provider_project_links_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_imports_checksum_uq" ON "billing_imports" USING btree ("organisation_id","checksum");--> statement-breakpoint
CREATE INDEX "billing_lines_day_idx" ON "billing_lines" USING btree ("organisation_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "provider_project_links_uq" ON "provider_project_links" USING btree ("organisation_id","provider","external_project_id");