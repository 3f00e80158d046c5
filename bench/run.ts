/**
 * `npm run bench`: the performance figures the issues set targets for. Benchmarks, not timed
 * assertions: they print numbers and flag misses, and never fail CI on a noisy machine.
 * `npm run bench -- extension` (or any words) runs only the suites whose title holds one of them.
 */
import os from 'node:os';
import { benchAlerts } from './alerts.js';
import { benchExtension } from './extension.js';
import { closeBenchDatabases } from './databases.js';
import { benchKeyCheck } from './key-check.js';
import { benchServer } from './server.js';
import type { BenchResult } from './stats.js';
import { benchWorkflows } from './workflows.js';

const suites: Array<[string, () => Promise<BenchResult[]>]> = [
  ['Key check (backend, SQLite and PostgreSQL)', benchKeyCheck],
  ['Production server (the compiled bundle, SQLite and PostgreSQL)', benchServer],
  ['Workflows (backend)', benchWorkflows],
  ['Alerts (backend, SQLite and PostgreSQL)', benchAlerts],
  ['Extension', benchExtension],
];

console.log(`Serval for Stripe benchmarks — Node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);
const only = process.argv.slice(2).map((word) => word.toLowerCase());
const chosen = only.length === 0 ? suites : suites.filter(([title]) => only.some((word) => title.toLowerCase().includes(word)));
let misses = 0;
for (const [title, run] of chosen) {
  console.log(title);
  for (const r of await run()) {
    const verdict = r.ok === undefined ? '' : r.ok ? '  meets target' : '  MISSES target';
    if (r.ok === false) misses++;
    console.log(`  ${r.name.padEnd(72)} ${String(r.value).padStart(10)} ${r.unit.padEnd(6)}${r.target ? `  target ${r.target}${verdict}` : ''}`);
  }
  console.log('');
}
await closeBenchDatabases();
console.log(misses ? `${misses} figure(s) miss their target.` : 'Every figure with a target meets it.');
