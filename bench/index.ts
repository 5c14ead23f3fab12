/**
 * `npm run bench -- <suite>`: benchmarks print their baseline from the same
 * run, the ratio, the absolute figures and how to reproduce them.
 */
const SUITES: Record<string, () => Promise<unknown>> = {
  ledger: () => import('./ledger'),
  gateway: () => import('./gateway'),
  router: () => import('./router'),
  cache: () => import('./cache'),
  governance: () => import('./governance'),
};

const [suite = ''] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const run = SUITES[suite];
if (!run) {
  console.error(`usage: npm run bench -- <suite> [flags]\nsuites: ${Object.keys(SUITES).join(', ')}`);
  process.exit(1);
}
await run();
export {};
