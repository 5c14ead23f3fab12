import path from 'node:path';
import type { DbHandle } from './client';

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), 'db/migrations');

/**
 * Applies the committed migrations. On a server, an advisory lock keeps two
 * app instances starting together from migrating at once.
 */
export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === 'pglite') {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
  await handle.withAdvisoryLock(727274, () => run(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER }));
}
