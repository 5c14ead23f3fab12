/**
 * A fresh, migrated database for one test file: an in-memory PGlite by
 * default, or a uniquely named database on the TEST_DATABASE_URL server,
 * dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { openDb, type DbHandle } from '@/db/client';
import { migrate } from '@/db/migrate';

export interface TestDb extends DbHandle {
  dispose(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDb(): Promise<TestDb> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const handle = await openDb({ dataDir: 'memory://' });
    await migrate(handle);
    return { ...handle, dispose: () => handle.close() };
  }
  const name = `tollgate_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await openDb({ url: server });
  await admin.query(`create database ${name}`);
  const handle = await openDb({ url: withDatabase(server, name) });
  await migrate(handle);
  return {
    ...handle,
    dispose: async () => {
      await handle.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}
