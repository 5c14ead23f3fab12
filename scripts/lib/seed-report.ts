/** What a seed prints, for `npm start` and `npm run db:seed` alike: the demo logins, and generated keys exactly once. */
import { DEFAULT_DEMO_PASSWORD, DEMO_ADMIN_KEY_ID, DEMO_AGENT_KEY_ID, DEMO_USERS, OTHER_MANAGER } from '@/db/seed/fixtures';
import { ADMIN_USER } from '@/db/seed/generate';

export interface SeedReport {
  demoKey: string;
  adminKey: string;
  counts: Record<string, number>;
}

/** Which secrets came from the environment (and so are not printed). */
export interface SeedSecretsSource {
  password: boolean;
  demoKey: boolean;
  adminKey: boolean;
}

export function secretsFromEnv(): SeedSecretsSource {
  return {
    password: Boolean(process.env.TOLLGATE_DEMO_PASSWORD),
    demoKey: Boolean(process.env.TOLLGATE_DEMO_KEY),
    adminKey: Boolean(process.env.TOLLGATE_ADMIN_KEY),
  };
}

export function describeSeed(result: SeedReport, fromEnv: SeedSecretsSource, print: (line: string) => void = console.log): void {
  const width = Math.max(...Object.keys(result.counts).map((k) => k.length));
  print('rows written:');
  for (const [table, count] of Object.entries(result.counts)) {
    print(`  ${table.padEnd(width)}  ${count.toLocaleString('en-US').padStart(9)}`);
  }
  print(`demo sign-ins ${fromEnv.password ? '(password from TOLLGATE_DEMO_PASSWORD)' : `(password: ${DEFAULT_DEMO_PASSWORD})`}:`);
  const logins: [string, string][] = [
    [DEMO_USERS.cfo.email, 'CFO'],
    [DEMO_USERS.ops.email, 'ops'],
    [DEMO_USERS.manager.email, 'manager, Claims'],
    [OTHER_MANAGER.email, 'manager, Underwriting'],
    [ADMIN_USER.email, 'admin'],
  ];
  for (const [email, role] of logins) print(`  ${email.padEnd(34)} ${role}`);
  print('  kyc|support|finance|engineering.manager@example.com  managers of those departments');

  const generated: [string, string, string][] = [];
  if (!fromEnv.demoKey) generated.push(['agent key', DEMO_AGENT_KEY_ID, result.demoKey]);
  if (!fromEnv.adminKey) generated.push(['admin key', DEMO_ADMIN_KEY_ID, result.adminKey]);
  if (generated.length > 0) {
    print('generated API keys:');
    for (const [label, id, key] of generated) print(`  ${label} (${id}): ${key}`);
    print('  These keys are not shown again: only their hashes are stored. Copy them now,');
    print('  or set TOLLGATE_DEMO_KEY / TOLLGATE_ADMIN_KEY and reseed with --reset.');
  } else {
    print('API keys: taken from TOLLGATE_DEMO_KEY and TOLLGATE_ADMIN_KEY.');
  }
}
