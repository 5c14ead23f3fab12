/**
 * A throwaway database on a PostgreSQL server, for tests and benchmarks: a
 * uniquely named database is created, migrated, and dropped by `dispose`.
 */
import { randomBytes } from 'node:crypto';
import { openDb, type DbHandle } from './client';
import { migrate } from './migrate';

export interface ScratchDb extends DbHandle {
  /** The scratch database's URL, for other processes (empty for in-memory PGlite). */
  url: string;
  dispose(): Promise<void>;
}

export async function scratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDb> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await openDb({ url: serverUrl });
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDb({ url: url.toString() });
  await migrate(handle);
  return {
    ...handle,
    url: url.toString(),
    dispose: async () => {
      await handle.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}
