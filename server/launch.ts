/**
 * dist/server/main.cjs, what `npm run serve` runs: turns on Node's compile cache in a private
 * directory beside the bundle (server/compile-cache.ts), then loads the server bundle, so that the
 * bundle is compiled with the cache. Built as CommonJS like the bundle (server/build.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enablePrivateCompileCache } from './compile-cache.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = enablePrivateCompileCache(path.join(here, 'compile-cache'));
if (!cache.enabled) process.stderr.write(`Compile cache off (start-up is slower): ${cache.reason}\n`);
createRequire(import.meta.url)(path.join(here, 'server.cjs'));
