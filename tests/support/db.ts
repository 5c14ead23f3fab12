/**
 * A fresh, migrated database for one test file: an in-memory PGlite by
 * default, or a uniquely named database on the TEST_DATABASE_URL server,
 * dropped afterwards.
 */
import { openDb } from '@/db/client';
import { migrate } from '@/db/migrate';
import { scratchDatabase, type ScratchDb } from '@/db/scratch';

export type TestDb = ScratchDb;

export async function createTestDb(): Promise<TestDb> {
  const server = process.env.TEST_DATABASE_URL;
  if (server) return scratchDatabase(server, 'tollgate_test');
  const handle = await openDb({ dataDir: 'memory://' });
  await migrate(handle);
  return { ...handle, url: '', dispose: () => handle.close() };
}
