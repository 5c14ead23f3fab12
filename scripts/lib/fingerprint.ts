/**
 * A fingerprint of everything `next build` reads, so `npm start` rebuilds
 * when the sources change and skips the build when they have not.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const INPUTS = ['app', 'components', 'lib', 'db', 'public', 'types', 'proxy.ts', 'next.config.ts', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

function walk(root: string, file: string, hash: ReturnType<typeof createHash>): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(file).sort()) walk(root, path.join(file, entry), hash);
  } else {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(fs.readFileSync(file));
  }
}

/** SHA-256 over the build inputs' paths and contents. */
export function buildFingerprint(root: string): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) walk(root, path.join(root, input), hash);
  return hash.digest('hex');
}
