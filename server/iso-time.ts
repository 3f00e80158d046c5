/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: under load several
 * requests share a millisecond, and formatting a date cost each of them a few microseconds (the
 * log line's time, the status request's rotation cut-off).
 */
let lastMs = Number.NaN;
let lastIso = '';

export function isoString(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
