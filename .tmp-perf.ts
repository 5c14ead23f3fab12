import { readFileSync } from 'node:fs';
import { inferTask } from '@/lib/engine/router';
const data = JSON.parse(readFileSync('bench/data/router-tasks.json', 'utf8'));
const items = data.items as { messages: { role: string; content: string }[] }[];
const lens = items.map((it) => it.messages.reduce((a, m) => a + m.content.length, 0)).sort((a, b) => a - b);
console.log('len p50', lens[200], 'p90', lens[360], 'p99', lens[396], 'max', lens[399]);
for (let k = 0; k < 20000; k++) inferTask(items[k % 400]!.messages);
const buckets: Record<string, number[]> = {};
for (let rep = 0; rep < 50; rep++) for (const it of items) {
  const len = it.messages.reduce((a, m) => a + m.content.length, 0);
  const b = len < 500 ? '<500' : len < 1000 ? '<1000' : len < 3000 ? '<3000' : '>=3000';
  const t0 = performance.now(); inferTask(it.messages); const dt = performance.now() - t0;
  (buckets[b] ??= []).push(dt * 1000);
}
for (const [b, v] of Object.entries(buckets)) { v.sort((a, b) => a - b); console.log(b, v.length, 'p50', v[Math.floor(v.length / 2)]!.toFixed(2), 'p99', v[Math.floor(v.length * 0.99)]!.toFixed(2)); }
