/** What a seed run prints: counts, the demo logins, and generated keys exactly once. */
import { DEFAULT_DEMO_PASSWORD, DEMO_USERS } from '@/db/seed/fixtures';

export interface SeedReport {
  demoKey: string;
  adminKey: string;
  counts: Record<string, number>;
}

export function describeSeed(result: SeedReport, log: (line: string) => void): void {
  log(`seeded: ${Object.entries(result.counts).map(([table, n]) => `${n} ${table}`).join(', ')}`);
  const password = process.env.TOLLGATE_DEMO_PASSWORD ? '(TOLLGATE_DEMO_PASSWORD)' : DEFAULT_DEMO_PASSWORD;
  log(`demo sign-ins: ${Object.values(DEMO_USERS).map((u) => u.email).join(', ')} · password ${password}`);
  const generated: string[] = [];
  if (!process.env.TOLLGATE_DEMO_KEY) generated.push(`  agent key (Claims triage bot): ${result.demoKey}`);
  if (!process.env.TOLLGATE_ADMIN_KEY) generated.push(`  ops admin key:                 ${result.adminKey}`);
  if (generated.length) {
    log('generated API keys (shown once, not stored in clear; set TOLLGATE_DEMO_KEY / TOLLGATE_ADMIN_KEY to choose them):');
    for (const line of generated) console.log(line);
  }
}
