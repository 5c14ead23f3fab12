import { z } from 'zod';
import { ALERT_KINDS } from '@/lib/engine/enums';
import { parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { listAlerts } from '@/lib/server/alerts';

const query = z.strictObject({
  kind: z.enum(ALERT_KINDS).optional(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});

/** Alerts, newest first, with their webhook delivery state (CFO and ops). */
export const GET = withAuth('telemetry.read', async ({ ctx, url }) => Response.json(await listAlerts(ctx.db, ctx.organisationId, parseQuery(url, query))));
