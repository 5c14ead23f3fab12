import { getDb } from '@/db/client';
import { jsonError } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

/** Liveness and which database this instance talks to. */
export async function GET() {
  try {
    const db = await getDb();
    await db.query('select 1');
    return Response.json({ status: 'ok', database: db.kind });
  } catch (error) {
    console.error('[tollgate] health check failed', error);
    return jsonError(503, 'upstream_error', 'Database unavailable.');
  }
}
