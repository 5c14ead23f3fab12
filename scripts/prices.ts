/**
 * The price catalog from the command line.
 *
 *   npm run prices -- list [--model <id>] [--provider <name>] [--json]
 *   npm run prices -- import [--file <path>] [--from <date>] [--skip-conflicts]
 *   npm run prices -- set --model <id> --input <usd/Mtok> --output <usd/Mtok> [...]
 *
 * Uses DATABASE_URL when set, else PGlite under TOLLGATE_DATA_DIR (./.data).
 * A bad flag is an error (exit 1) and writes nothing.
 */
import path from 'node:path';
import { ZodError } from 'zod';
import { readFeedFile, SHIPPED_FEED_FILE, SHIPPED_FEED_SOURCE } from '@/db/catalog';
import { closeDb, getDb } from '@/db/client';
import { migrate } from '@/db/migrate';
import { findModel, listPriceVersions, type PriceVersionView } from '@/db/queries/prices';
import { TollgateError } from '@/lib/engine/errors';
import { effectiveDate, parsePriceVersion, type PriceVersionBody } from '@/lib/engine/price-input';
import { addPriceVersion, importCatalogFeed, organisationIds, type PriceActor } from '@/lib/server/prices';

const USAGE = `usage: npm run prices -- <command> [flags]

commands:
  list    [--model <id>] [--provider <name>] [--json]
          price versions, oldest first; * marks the versions in force now
  import  [--file <path>] [--from <date>] [--skip-conflicts]
          import a pydantic/genai-prices v2 feed (default: the shipped one,
          db/catalog/${path.basename(SHIPPED_FEED_FILE)}); importing the same feed again writes nothing.
          --from: when the feed's undated prices take effect (default 2025-09-01,
          the catalog date); give a later date to import a newer feed whose
          prices changed. --skip-conflicts: leave out feed prices that differ
          from held ones of the same date instead of refusing the import.
  set     --model <id> --input <usd/Mtok> --output <usd/Mtok>
          [--cached-input <usd/Mtok>] [--cache-write-5m <usd/Mtok>] [--cache-write-1h <usd/Mtok>]
          [--reasoning <usd/Mtok>] [--from <date or ISO date-time>] [--kind list|negotiated|amortised]
          [--service-tier standard|batch|flex|priority] [--context-tier-min <tokens>]
          [--org <organisation id>] [--source <text>]
          add a price version (USD per million tokens, decimals). --from defaults
          to now; any date is allowed (ledger rows already written keep their
          cost). negotiated and amortised prices belong to an organisation:
          --org, or the only one there is.

environment: DATABASE_URL, TOLLGATE_DATA_DIR. With the embedded database, stop
the server first (PGlite serves one process); with PostgreSQL a running server
picks the change up within a minute, or use POST /api/v1/prices.`;

class UsageError extends Error {}

type Flags = Map<string, string | true>;

const COMMAND_FLAGS: Record<string, { values: readonly string[]; switches: readonly string[] }> = {
  list: { values: ['--model', '--provider'], switches: ['--json'] },
  import: { values: ['--file', '--from'], switches: ['--skip-conflicts'] },
  set: {
    values: [
      '--model',
      '--input',
      '--output',
      '--cached-input',
      '--cache-write-5m',
      '--cache-write-1h',
      '--reasoning',
      '--from',
      '--kind',
      '--service-tier',
      '--context-tier-min',
      '--org',
      '--source',
    ],
    switches: [],
  },
};

/** `set` flags by the body field they fill, to name the flag in an error. */
const FLAG_OF_FIELD: Record<string, string> = {
  model: '--model',
  input: '--input',
  output: '--output',
  cached_input: '--cached-input',
  cache_write_5m: '--cache-write-5m',
  cache_write_1h: '--cache-write-1h',
  reasoning: '--reasoning',
  effective_from: '--from',
  kind: '--kind',
  service_tier: '--service-tier',
  context_tier_min_tokens: '--context-tier-min',
  source: '--source',
};

function parseFlags(command: string, argv: string[]): Flags {
  const spec = COMMAND_FLAGS[command]!;
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flags.has(name)) throw new UsageError(`${name} given twice`);
    if (spec.switches.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)} for ${command}`);
    }
  }
  return flags;
}

const text = (flags: Flags, name: string): string | undefined => {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

/** The POST /api/v1/prices body a `set` command stands for; validation is the API's own. */
function setBody(flags: Flags): PriceVersionBody {
  for (const required of ['--model', '--input', '--output']) if (!flags.has(required)) throw new UsageError(`set needs ${required}`);
  const tier = text(flags, '--context-tier-min');
  if (tier !== undefined && !/^\d+$/.test(tier)) throw new UsageError(`--context-tier-min must be a whole number of prompt tokens, got ${JSON.stringify(tier)}`);
  const body: Record<string, unknown> = {};
  for (const [field, flag] of Object.entries(FLAG_OF_FIELD)) {
    const value = text(flags, flag);
    if (value !== undefined) body[field] = field === 'context_tier_min_tokens' ? Number(value) : value;
  }
  return body as PriceVersionBody;
}

function zodUsage(error: ZodError): UsageError {
  const issue = error.issues[0];
  const field = issue?.path[0];
  const flag = typeof field === 'string' ? (FLAG_OF_FIELD[field] ?? field) : 'input';
  return new UsageError(`${flag}: ${issue?.message ?? 'invalid value'}`);
}

const cell = (v: string | null) => v ?? '-';

function printVersions(rows: readonly PriceVersionView[]): void {
  const header = ['', 'model', 'kind', 'org', 'service', 'from tokens', 'effective from', 'input', 'cached', 'write 5m', 'write 1h', 'output', 'reasoning', 'source'];
  const lines = rows.map((r) => [
    r.in_force ? '*' : '',
    r.model,
    r.kind,
    cell(r.organisation_id),
    r.service_tier,
    String(r.context_tier_min_tokens),
    r.effective_from.replace('T00:00:00.000Z', '').replace('.000Z', 'Z'),
    r.usd_per_mtok.input,
    cell(r.usd_per_mtok.cached_input),
    cell(r.usd_per_mtok.cache_write_5m),
    cell(r.usd_per_mtok.cache_write_1h),
    r.usd_per_mtok.output,
    cell(r.usd_per_mtok.reasoning),
    r.source,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (l: string[]) => l.map((c, i) => (i >= 7 && i <= 12 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(format(header));
  for (const l of lines) console.log(format(l));
  console.log(`${rows.length} price version(s); rates in USD per million tokens; * in force now`);
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (!COMMAND_FLAGS[command]) {
    console.error(`error: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 1;
  }

  // Everything that can be checked without the database is, before it is opened.
  let flags: Flags;
  let body: PriceVersionBody | undefined;
  let from: Date | undefined;
  try {
    flags = parseFlags(command, rest);
    if (command === 'set') {
      body = setBody(flags);
      parsePriceVersion(body);
    }
    if (command === 'import' && flags.has('--from')) {
      const parsed = effectiveDate.safeParse(text(flags, '--from'));
      if (!parsed.success) throw new UsageError(`--from: ${parsed.error.issues[0]?.message ?? 'not a date'}`);
      from = parsed.data;
    }
  } catch (error) {
    const usage = error instanceof ZodError ? zodUsage(error) : error;
    if (usage instanceof UsageError) {
      console.error(`error: ${usage.message}\n\nrun \`npm run prices -- help\` for the flags`);
      return 1;
    }
    throw error;
  }

  const handle = await getDb();
  try {
    await migrate(handle);
    const now = new Date();

    if (command === 'list') {
      const modelId = text(flags, '--model');
      if (modelId && !(await findModel(handle, modelId))) {
        console.error(`error: no model ${JSON.stringify(modelId)} in the catalog`);
        return 1;
      }
      const rows = await listPriceVersions({ db: handle, contracts: 'all', now }, { modelId, provider: text(flags, '--provider') });
      if (flags.has('--json')) console.log(JSON.stringify(rows, null, 2));
      else printVersions(rows);
      return 0;
    }

    if (command === 'import') {
      const file = text(flags, '--file');
      const feed = readFeedFile(file ? path.resolve(file) : SHIPPED_FEED_FILE);
      const started = performance.now();
      const result = await importCatalogFeed(handle, feed, {
        effectiveFrom: from,
        source: file ? `genai-prices: ${path.basename(file)}` : SHIPPED_FEED_SOURCE,
        actor: { type: 'system', id: 'prices-cli', organisationId: null },
        onConflict: flags.has('--skip-conflicts') ? 'skip' : 'error',
        now,
      });
      const r = result.report;
      console.log(`feed: ${r.providers} providers, ${r.models} models, ${r.priceSets} price sets -> ${r.versions} price versions`);
      console.log(`models: ${result.modelsInserted} new, ${result.modelsUpdated} updated`);
      console.log(`prices: ${result.pricesInserted} new, ${result.pricesUnchanged} already held or already in force`);
      if (result.conflicts.length > 0) console.log(`conflicts left out: ${result.conflicts.length}`);
      if (result.newProviders.length > 0) console.log(`providers stored that PROVIDERS (lib/engine/enums.ts) does not name: ${result.newProviders.join(', ')}`);
      const fields = Object.entries(r.skippedFields).sort((a, b) => b[1] - a[1]);
      if (fields.length > 0) console.log(`fields not imported (price sets): ${fields.map(([f, n]) => `${f} ${n}`).join(', ')}`);
      if (r.skippedSets.length > 0) {
        const reasons = new Map<string, number>();
        for (const s of r.skippedSets) {
          const reason = s.reason.replace(/ \(from .*\)$/, '');
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
        console.log(`price sets not imported: ${[...reasons].map(([reason, n]) => `${reason} ${n}`).join(', ')} (their models stay unpriced)`);
      }
      if (r.timeOfDay.length > 0) console.log(`time-of-day prices priced at the higher rate: ${r.timeOfDay.join(', ')}`);
      if (r.rounded.length > 0) console.log(`values rounded to the nano-dollar per Mtok: ${r.rounded.map((x) => `${x.modelId} ${x.field} ${x.value}`).join('; ')}`);
      console.log(`imported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }

    // set
    const input = parsePriceVersion(body);
    let organisationId: string | null = null;
    if (input.kind !== 'list') {
      const orgs = await organisationIds(handle);
      const named = text(flags, '--org');
      if (named) {
        if (!orgs.includes(named)) {
          console.error(`error: --org: no organisation ${JSON.stringify(named)}`);
          return 1;
        }
        organisationId = named;
      } else if (orgs.length === 1) {
        organisationId = orgs[0]!;
      } else {
        console.error(`error: a ${input.kind} price belongs to an organisation: give --org (one of ${orgs.join(', ') || 'none yet'})`);
        return 1;
      }
    } else if (flags.has('--org')) {
      console.error('error: --org is for negotiated and amortised prices; a list price is everyone\'s');
      return 1;
    }
    const actor: PriceActor = { type: 'system', id: 'prices-cli', organisationId };
    const { version, warnings } = await addPriceVersion(handle, actor, input, { now });
    printVersions([version]);
    for (const w of warnings) console.log(`note: ${w}`);
    return 0;
  } catch (error) {
    if (error instanceof TollgateError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await closeDb();
  }
}

// exitCode, not exit(): a piped stdout (list --json | jq) is written asynchronously and must drain first.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('prices failed:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
