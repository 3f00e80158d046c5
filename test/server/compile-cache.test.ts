/**
 * The production server's compile cache (server/compile-cache.ts), on a small CommonJS "bundle" in
 * a node process of its own per run, as dist/server/main.cjs loads the server bundle: the cache
 * directory is private whatever the umask, the next start uses the cache, a rebuild runs its own
 * code, and a directory others could have written to is never trusted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../server/paths.js';

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-compile-cache-'));
  cacheDir = path.join(dir, 'compile-cache');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A bundle-like file; its answer is always two digits, so that two builds have the same length. */
function writeBundle(answer: number): string {
  const bundle = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(bundle, `function lazy() { return ${answer}; }\nprocess.stdout.write(JSON.stringify({ answer: lazy() }) + '\\n');\n`);
  return bundle;
}

/**
 * The launcher's steps in a fresh node under umask 000 (the worst case): enable the cache, load
 * the bundle, flush as the server does once listening. Node says on stderr, when asked with
 * NODE_DEBUG_NATIVE, whether the bundle's compiled code came from the cache.
 */
function start(bundle: string) {
  const script = `import { enablePrivateCompileCache } from ${JSON.stringify(fromRoot('server/compile-cache.ts'))};
import { createRequire, flushCompileCache } from 'node:module';
process.umask(0);
const outcome = enablePrivateCompileCache(${JSON.stringify(cacheDir)});
createRequire(import.meta.url)(${JSON.stringify(bundle)});
flushCompileCache();
process.stdout.write(JSON.stringify(outcome) + '\\n');`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined },
  });
  if (child.status !== 0) throw new Error(`exited ${child.status}: ${child.stderr}`);
  const [printed, outcome] = child.stdout.trim().split('\n');
  return {
    answer: JSON.parse(printed!).answer as number,
    outcome: JSON.parse(outcome!) as { enabled: boolean; reason?: string },
    cacheUsed: child.stderr.includes(`code cache for CommonJS ${bundle} was accepted`),
  };
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('the compile cache the production server starts with', () => {
  it('is created private under umask 000, written by the first start and used by the next', () => {
    const bundle = writeBundle(21);
    const first = start(bundle);
    expect(first).toMatchObject({ answer: 21, outcome: { enabled: true }, cacheUsed: false });
    expect(modeOf(cacheDir)).toBe(0o700);
    expect(fs.readdirSync(cacheDir).length).toBeGreaterThan(0);

    expect(start(bundle)).toMatchObject({ answer: 21, outcome: { enabled: true }, cacheUsed: true });
  });

  it('runs a rebuild of the same length as its own code, not the cached one', () => {
    const bundle = writeBundle(21);
    start(bundle);
    expect(start(bundle).cacheUsed).toBe(true);
    writeBundle(34);
    expect(start(bundle)).toMatchObject({ answer: 34, cacheUsed: false });
    expect(start(bundle)).toMatchObject({ answer: 34, cacheUsed: true });
  });

  it('empties a cache directory others could write to, and makes it private', () => {
    const bundle = writeBundle(21);
    start(bundle);
    fs.chmodSync(cacheDir, 0o777);
    const planted = path.join(cacheDir, 'planted');
    fs.writeFileSync(planted, 'bytecode from someone else');

    expect(start(bundle)).toMatchObject({ answer: 21, outcome: { enabled: true }, cacheUsed: false });
    expect(fs.existsSync(planted)).toBe(false);
    expect(modeOf(cacheDir)).toBe(0o700);
  });

  it('does not follow a symbolic link in its place: the cache is off and the server still starts', () => {
    const bundle = writeBundle(21);
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.symlinkSync(elsewhere, cacheDir);

    const started = start(bundle);
    expect(started).toMatchObject({ answer: 21, outcome: { enabled: false }, cacheUsed: false });
    expect(started.outcome.reason).toMatch(/not a directory/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('is off, and the server still starts, where the directory cannot be made', () => {
    const bundle = writeBundle(21);
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    cacheDir = path.join(dir, 'a-file', 'compile-cache');
    expect(start(bundle)).toMatchObject({ answer: 21, outcome: { enabled: false }, cacheUsed: false });
  });
});
