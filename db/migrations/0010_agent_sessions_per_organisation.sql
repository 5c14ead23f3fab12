-- Session ids are the callers' own names: two organisations may use the same one. Key the table by (organisation, id).
ALTER TABLE "agent_sessions" DROP CONSTRAINT "agent_sessions_pkey";--> statement-breakpoint
ALTER TABLE "agent_sessions" ADD CONSTRAINT "agent_sessions_organisation_id_id_pk" PRIMARY KEY("organisation_id","id");
