/**
 * Waiting for a server process's log, which server/logger.ts writes asynchronously: a line logged
 * is not yet a line on stdout. Both process harnesses use it: the server tests' (backend-process.ts) and the browser
 * tests' (e2e/backend.ts).
 */

/**
 * A `logWritten()` for the server at `url`, whose output so far `output()` returns: it waits until
 * every line logged before the call is in that output, by sending a request of its own and waiting
 * for that request's line, which comes after every earlier one.
 */
export function logBarrier(url: string, output: () => string): () => Promise<void> {
  let barriers = 0;
  return async () => {
    const marker = `/api/log-barrier-${process.pid}-${++barriers}`;
    await fetch(`${url}${marker}`).then((res) => res.text());
    const started = Date.now();
    while (!output().includes(`"path":"${marker}"`)) {
      if (Date.now() - started > 10_000) throw new Error(`The backend's log never showed ${marker}.\n${output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
}
