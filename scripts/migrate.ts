/**
 * Applies the committed migrations.
 *
 *   npm run db:migrate
 *
 * Uses DATABASE_URL when set, else PGlite under TOLLGATE_DATA_DIR (./.data).
 */
import { closeDb, getDb } from '@/db/client';
import { migrate } from '@/db/migrate';

const db = await getDb();
try {
  await migrate(db);
  console.log(`migrations applied (${db.kind})`);
} finally {
  await closeDb();
}
