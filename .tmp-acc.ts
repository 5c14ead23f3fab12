import { readFileSync } from 'node:fs';
import { inferTask } from '@/lib/engine/router';
const data = JSON.parse(readFileSync('bench/data/router-tasks.json', 'utf8'));
let ok = 0;
for (const it of data.items) if (inferTask(it.messages).task === it.task) ok++;
console.log(ok / data.items.length);
