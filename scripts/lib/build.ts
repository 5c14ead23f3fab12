/** Builds the Next.js app when the build is missing or older than its sources. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildFingerprint } from './fingerprint';

export function ensureBuild(root: string, log: (line: string) => void, force = false): void {
  const stamp = path.join(root, '.next', 'tollgate-fingerprint');
  const fingerprint = buildFingerprint(root);
  const fresh =
    !force &&
    fs.existsSync(path.join(root, '.next', 'BUILD_ID')) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8') === fingerprint;
  if (fresh) return;
  log('building the app…');
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  fs.writeFileSync(stamp, fingerprint);
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
