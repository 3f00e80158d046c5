/**
 * Running the server bundle (dist/server/server.cjs) through V8's code cache; dist/server/main.cjs
 * (server/launch.ts), what `npm run serve` runs, does it.
 *
 * Start-up was mostly V8 compiling the bundle: a parse before the first line runs, then each
 * function compiled as it is first called. Node 22 caches that (module.enableCompileCache); Node 20,
 * which this project runs on, has only vm.Script's cachedData. So the bundle is CommonJS, compiled
 * here as a vm.Script with the cache beside it, and the cache is written after the server has
 * started and served, so it holds every function start-up and the first requests compiled — not
 * only the top level, which is all a cache made at compile time (v8-compile-cache's way) would hold.
 *
 * The cache sits beside the bundle and is as trusted as it: whoever can write one can write the
 * other. It starts with the SHA-256 of the source it was made from: V8 refuses a cache made by
 * another V8 or with other flags, but of the source it checks only the length, so a rebuild of the
 * same length would otherwise run the old build's code (a test proves both). A cache that doesn't
 * fit is not used; the server starts the slow way and writes a fresh one. A directory it cannot
 * write (a read-only install) only means no cache.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Long enough for start-up and the first requests, short enough that a short run still leaves a cache. */
const WRITE_AFTER_MS = 10_000;

/** What became of the cache: used as it was, or missing or refused and so written afresh (when the timer or the exit comes). */
export type CodeCacheOutcome = 'used' | 'missing' | 'rejected';

/** Runs a CommonJS file as node would load it, compiled with the V8 code cache kept in `cacheFile`. */
export function runWithCodeCache(bundle: string, cacheFile = `${bundle}.cache`): CodeCacheOutcome {
  const source = fs.readFileSync(bundle, 'utf8');
  const digest = createHash('sha256').update(source).digest();
  const stored = readIfPresent(cacheFile);
  const fits = stored !== undefined && stored.subarray(0, digest.length).equals(digest);
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData: fits ? stored.subarray(digest.length) : undefined,
    // The bundle loads what it doesn't contain with require; an import() in it gets node's own loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });

  const outcome: CodeCacheOutcome = !stored ? 'missing' : !fits || script.cachedDataRejected ? 'rejected' : 'used';
  if (outcome !== 'used') {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeAtomically(cacheFile, Buffer.concat([digest, script.createCachedData()]));
    };
    setTimeout(write, WRITE_AFTER_MS).unref();
    process.once('exit', write); // a run shorter than that (SIGTERM, a CLI-like start) still leaves one
  }

  // What node does for a CommonJS file it loads itself: a module with the bundle's file name and paths.
  const bundleModule = new Module(bundle);
  bundleModule.filename = bundle;
  bundleModule.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(bundle));
  const compiled = script.runInThisContext() as (...args: unknown[]) => void;
  compiled.call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
  bundleModule.loaded = true;
  return outcome;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file); // two servers starting at once each write a whole cache; the last one stays
  } catch {
    fs.rmSync(temporary, { force: true }); // a read-only install: no cache, nothing else changes
  }
}
