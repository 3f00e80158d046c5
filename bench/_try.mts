import { benchServer } from './server.js';
import { closeBenchDatabases } from './databases.js';
for (const r of await benchServer()) console.log(r.name.padEnd(75), r.value, r.unit, r.target ?? '', r.ok ?? '');
await closeBenchDatabases();
