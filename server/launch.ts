/**
 * dist/server/main.cjs, what `npm run serve` runs: the server bundle beside it, through V8's code
 * cache (server/code-cache.ts). Built as CommonJS like the bundle, with import.meta.url defined as
 * this file's URL (server/build.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';

runWithCodeCache(path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.cjs'));
