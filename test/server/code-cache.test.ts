/**
 * The launcher's V8 code cache (server/code-cache.ts), on a small CommonJS file in a process of its
 * own, as dist/server/main.cjs runs the server bundle: the file runs as node would run it, the
 * cache is written by the first run and used by the next, and a cache that doesn't fit — another
 * build, garbage, a directory it can't be written to — costs only the cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../server/paths.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-code-cache-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A bundle-like file: requires a builtin and a file beside it, uses its own names, exports, and prints what it saw. */
function writeBundle(answer: number): string {
  fs.writeFileSync(path.join(dir, 'beside.cjs'), 'module.exports = { twice: (n) => n * 2 };');
  const bundle = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(
    bundle,
    `const os = require('node:os');
const { twice } = require('./beside.cjs');
function lazy() { return ${answer}; }
module.exports.answer = twice(lazy()) / 2;
process.stdout.write(JSON.stringify({ answer: module.exports.answer, filename: __filename, dirname: __dirname, thisIsExports: this === module.exports, eol: os.EOL === '\\n' }) + '\\n');`,
  );
  return bundle;
}

/** Runs the file through runWithCodeCache in a fresh node, as the launcher does; what it printed, and the outcome. */
function run(bundle: string, cacheFile = `${bundle}.cache`): { printed: Record<string, unknown>; outcome: string } {
  const script = `import { runWithCodeCache } from ${JSON.stringify(fromRoot('server/code-cache.ts'))};
const outcome = runWithCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(cacheFile)});
process.stdout.write(outcome + '\\n');`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fromRoot(), encoding: 'utf8' });
  const [printed, outcome] = out.trim().split('\n');
  return { printed: JSON.parse(printed!), outcome: outcome! };
}

describe('the code cache the production server starts with', () => {
  it('runs the file as node would, writes the cache when the first run ends, and the next run uses it', () => {
    const bundle = writeBundle(21);
    const first = run(bundle);
    expect(first).toEqual({ outcome: 'missing', printed: { answer: 21, filename: bundle, dirname: dir, thisIsExports: true, eol: true } });
    const cache = fs.readFileSync(`${bundle}.cache`);
    expect(cache.length).toBeGreaterThan(0);

    const second = run(bundle);
    expect(second).toEqual({ outcome: 'used', printed: first.printed });
    expect(fs.readFileSync(`${bundle}.cache`).equals(cache)).toBe(true); // a used cache isn't rewritten
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses the cache of another build of the file, runs the new one, and writes its cache', () => {
    const bundle = writeBundle(21);
    run(bundle);
    const old = fs.readFileSync(`${bundle}.cache`);
    writeBundle(34); // a rebuild
    expect(run(bundle)).toMatchObject({ outcome: 'rejected', printed: { answer: 34 } });
    expect(fs.readFileSync(`${bundle}.cache`).equals(old)).toBe(false);
    expect(run(bundle)).toMatchObject({ outcome: 'used', printed: { answer: 34 } });
  });

  it('refuses a cache that is garbage, and replaces it', () => {
    const bundle = writeBundle(21);
    fs.writeFileSync(`${bundle}.cache`, Buffer.from('not a V8 code cache at all'));
    expect(run(bundle)).toMatchObject({ outcome: 'rejected', printed: { answer: 21 } });
    expect(run(bundle).outcome).toBe('used');
  });

  it('runs without a cache where none can be written', () => {
    const bundle = writeBundle(21);
    const unwritable = path.join(dir, 'no-such-directory', 'bundle.cjs.cache');
    expect(run(bundle, unwritable)).toMatchObject({ outcome: 'missing', printed: { answer: 21 } });
    expect(run(bundle, unwritable)).toMatchObject({ outcome: 'missing', printed: { answer: 21 } });
    expect(fs.existsSync(path.dirname(unwritable))).toBe(false);
  });
});
