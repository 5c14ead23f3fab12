import { parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { listSessions, sessionListQuery } from '@/lib/server/governance-admin/sessions';

/** Agent sessions, most recently seen first; `?status=frozen` for the ones the loop guard stopped (CFO and ops). */
export const GET = withAuth('telemetry.read', async ({ ctx, url }) => Response.json(await listSessions(ctx, parseQuery(url, sessionListQuery))));
