-- One verdict per caller on a call. Repeats stored before this rule: the caller's first one stands (the rest are dropped, so they stop weighing on quality estimates).
DELETE FROM "feedback" AS "later" USING "feedback" AS "first"
 WHERE "later"."organisation_id" = "first"."organisation_id"
   AND "later"."request_id" = "first"."request_id"
   AND "later"."created_by" IS NOT DISTINCT FROM "first"."created_by"
   AND ("first"."created_at", "first"."id") < ("later"."created_at", "later"."id");--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_caller_uq" UNIQUE NULLS NOT DISTINCT("organisation_id","request_id","created_by");
