/**
 * Node's module compile cache for the production server (dist/server/main.cjs, server/launch.ts).
 *
 * Compiling the bundle is most of what start-up costs; `module.enableCompileCache()` keeps V8's
 * compiled code on disk and checks it against a hash of the source, so a rebuild is never run from
 * an older build's code. Whoever can write the cache decides what the server runs, so the
 * directory must be as private as the code: created 0700 (whatever the umask), owned by the user
 * the server runs as, and not a symbolic link. A directory that fails those checks is not used:
 * one of ours that others could write to is emptied and made private again; anything else (another
 * owner, a link) turns the cache off, and the server starts the slow way.
 */
import fs from 'node:fs';
import module from 'node:module';

export type CompileCacheOutcome = { enabled: true; directory: string } | { enabled: false; reason: string };

/** Makes `dir` a private directory of this user's (or says why it can't be), then turns the compile cache on in it. */
export function enablePrivateCompileCache(dir: string): CompileCacheOutcome {
  const refusal = preparePrivateDirectory(dir);
  if (refusal) return { enabled: false, reason: refusal };
  const result = module.enableCompileCache(dir);
  if (result.status === module.constants.compileCacheStatus.FAILED) return { enabled: false, reason: result.message ?? 'Node could not enable it' };
  return { enabled: true, directory: result.directory ?? dir };
}

function preparePrivateDirectory(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return `${dir} is not a directory`;
    if (process.getuid && stat.uid !== process.getuid()) return `${dir} belongs to another user`;
    if ((stat.mode & 0o077) !== 0) {
      // Others could have written to it: nothing in it can be trusted.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { mode: 0o700 });
      stat = fs.lstatSync(dir);
    }
    // mkdir's mode is narrowed by the umask, never widened; chmod makes it exact.
    if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
    return null;
  } catch (error) {
    return `${dir}: ${(error as Error).message}`;
  }
}
