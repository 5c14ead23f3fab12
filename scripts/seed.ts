/**
 * Seeds the demo organisation.
 *
 *   npm run db:seed -- [--days 90] [--events 120000] [--seed N] [--reset]
 *
 * Uses DATABASE_URL when set, else PGlite under TOLLGATE_DATA_DIR (./.data).
 * Reads TOLLGATE_DEMO_PASSWORD, TOLLGATE_DEMO_KEY and TOLLGATE_ADMIN_KEY; keys
 * that are not given are generated and printed once.
 */
import { describeSeed, secretsFromEnv } from './lib/seed-report';
import { closeDb, getDb } from '@/db/client';
import { migrate } from '@/db/migrate';
import { isSeeded, seedDatabase, truncateAll } from '@/db/seed/index';
import { DEFAULT_DAYS, DEFAULT_EVENTS, DEFAULT_SEED } from '@/db/seed/fixtures';

const USAGE = `usage: npm run db:seed -- [--days N] [--events N] [--seed N] [--reset]

  --days N     days of history ending now (default ${DEFAULT_DAYS}, at most 3650)
  --events N   ledger rows to generate (default ${DEFAULT_EVENTS}, at most 5000000)
  --seed N     PRNG seed, a non-negative integer (default ${DEFAULT_SEED})
  --reset      empty every table first (otherwise an already-seeded database is refused)

environment: DATABASE_URL, TOLLGATE_DATA_DIR, TOLLGATE_DEMO_PASSWORD, TOLLGATE_DEMO_KEY, TOLLGATE_ADMIN_KEY`;

class UsageError extends Error {}

interface Flags {
  days: number;
  events: number;
  seed: number;
  reset: boolean;
  help: boolean;
}

function parseInteger(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || text.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { days: DEFAULT_DAYS, events: DEFAULT_EVENTS, seed: DEFAULT_SEED, reset: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--days':
        flags.days = parseInteger('--days', value(), 1, 3650);
        break;
      case '--events':
        flags.events = parseInteger('--events', value(), 1, 5_000_000);
        break;
      case '--seed':
        flags.seed = parseInteger('--seed', value(), 0, 0xffffffff);
        break;
      case '--reset':
        if (inline !== undefined) throw new UsageError('--reset takes no value');
        flags.reset = true;
        break;
      case '--help':
      case '-h':
        flags.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return flags;
}

function keyFromEnv(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (value.length < 20 || /\s/.test(value)) throw new UsageError(`${name} must be at least 20 characters with no whitespace`);
  return value;
}

async function main(): Promise<number> {
  let flags: Flags;
  let demoKey: string | undefined;
  let adminKey: string | undefined;
  try {
    flags = parseFlags(process.argv.slice(2));
    demoKey = keyFromEnv('TOLLGATE_DEMO_KEY');
    adminKey = keyFromEnv('TOLLGATE_ADMIN_KEY');
    if (demoKey && adminKey && demoKey === adminKey) throw new UsageError('TOLLGATE_DEMO_KEY and TOLLGATE_ADMIN_KEY must differ');
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 1;
    }
    throw error;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const demoPassword = process.env.TOLLGATE_DEMO_PASSWORD || undefined;

  const started = performance.now();
  const handle = await getDb();
  try {
    const target = handle.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite (${process.env.TOLLGATE_DATA_DIR ?? '.data'})`;
    console.log(`database: ${target}`);
    await migrate(handle);
    console.log(`  open and migrate: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    if (await isSeeded(handle)) {
      if (!flags.reset) {
        console.error('error: the database is already seeded. Run again with --reset to empty every table and seed afresh.');
        return 1;
      }
      const tables = await truncateAll(handle);
      console.log(`reset: truncated ${tables.length} tables`);
    } else if (flags.reset) {
      await truncateAll(handle);
    }

    console.log(`seeding ${flags.events.toLocaleString('en-US')} ledger events over ${flags.days} days (seed ${flags.seed})...`);
    const result = await seedDatabase(handle, {
      seed: flags.seed,
      days: flags.days,
      events: flags.events,
      demoPassword,
      demoKey,
      adminKey,
      onStep: (step, ms) => console.log(`  ${step}: ${(ms / 1000).toFixed(1)} s`),
    });
    const elapsed = (performance.now() - started) / 1000;

    describeSeed(result, secretsFromEnv());
    console.log(`seeded in ${elapsed.toFixed(1)} s`);
    return 0;
  } finally {
    await closeDb();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('seed failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
