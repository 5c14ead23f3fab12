/**
 * Reading a backfill file line by line: every line arrives, however long the
 * caller waits before pulling the first one (a line stream opened early
 * drops what nobody listens for) and however slowly it pulls the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileLines, jsonLines } from '@/lib/server/usage-import';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LINES = 60_000;
const file = path.join(dir, 'events.jsonl');
fs.writeFileSync(file, Array.from({ length: LINES }, (_, i) => (i === 7 ? '{broken' : JSON.stringify({ id: `e${i}` }))).join('\r\n') + '\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fileLines', () => {
  it('delivers every line when the first pull comes late and the pulls are slow', async () => {
    const events = jsonLines(fileLines(file));
    await sleep(150);
    let count = 0;
    let last = -1;
    let broken: number | null = null;
    for await (const event of events) {
      count += 1;
      if (event.parseError) broken = event.line;
      else {
        const n = Number((event.value as { id: string }).id.slice(1));
        expect(n).toBe(last + 1 + (last + 1 === 7 ? 1 : 0));
        last = n;
      }
      if (count % 10_000 === 0) await sleep(20);
    }
    expect(count).toBe(LINES);
    expect(broken).toBe(8);
    expect(last).toBe(LINES - 1);
  });

  it('closes the file when the reader stops early', async () => {
    const lines = fileLines(file);
    for await (const line of lines) {
      expect(line).toContain('e0');
      break;
    }
    expect(await lines.next()).toEqual({ done: true, value: undefined });
  });
});
