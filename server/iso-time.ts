/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: under load several
 * requests share a millisecond, and formatting a date cost each of them a few microseconds.
 *
 * One memo per caller: the log line's time (now) and the status request's rotation cut-off (now
 * minus the maximum key age) are different milliseconds, and sharing one slot made them evict each
 * other on every request, so nothing was ever remembered.
 */
export function isoFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastIso;
  };
}
