/** Shared benchmark helpers: a throwaway PostgreSQL database, timing, percentiles and CPU accounting. */
import fs from 'node:fs';
import { scratchDatabase, type ScratchDb } from '@/db/scratch';

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** A fresh, migrated database on the benchmark server, dropped by `dispose`. */
export function benchDatabase(label: string): Promise<ScratchDb> {
  return scratchDatabase(SERVER_URL, `tollgate_bench_${label}`);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function mean(samples: readonly number[]): number {
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** CPU-seconds (user + system) used so far by one process, read from /proc; null where /proc is unavailable or the process has ended. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU-seconds used so far by the PostgreSQL server's live processes, when the
 * server runs on this machine (read from /proc); null elsewhere. Backends
 * that exit between two readings take their share with them: read around
 * work done on connections that stay open.
 */
export function serverCpuSeconds(): number | null {
  try {
    let total = 0;
    let found = false;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      } catch {
        continue; // The process ended meanwhile.
      }
      const seconds = processCpuSeconds(Number(pid));
      if (seconds === null) continue;
      total += seconds;
      found = true;
    }
    return found ? total : null;
  } catch {
    return null;
  }
}
