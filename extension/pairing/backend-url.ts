/**
 * The Backend URL a person types at pairing, and whether the browser must be asked for access
 * to it. Pure.
 */

export type BackendUrl = { ok: true; url: string } | { ok: false };

/** `127.0.0.1:8787/` → `http://127.0.0.1:8787`. Query, fragment and trailing slashes go. */
export function normalizeBackendUrl(input: string): BackendUrl {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false };
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) return { ok: false };
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.origin}${path}` };
}

/** Hosts the manifest's host_permissions already cover (on any port). */
const COVERED = new Set(['127.0.0.1', 'localhost']);

/** A backend on loopback over http is covered by the manifest; any other must be granted at pairing. */
export function needsHostPermission(backendUrl: string): boolean {
  const url = new URL(backendUrl);
  return !(url.protocol === 'http:' && COVERED.has(url.hostname));
}

/** The match pattern to request for a backend: scheme and host; match patterns ignore ports. */
export function hostPermissionPattern(backendUrl: string): string {
  const url = new URL(backendUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** A name for this device in the backend's device list: "Chrome on macOS". */
export function deviceNameFrom(userAgent: string): string {
  const browserName = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /OPR\//.test(userAgent)
        ? 'Opera'
        : /Chrom(e|ium)\//.test(userAgent)
          ? 'Chrome'
          : 'Browser';
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /CrOS/.test(userAgent)
      ? 'ChromeOS'
      : /Mac OS X|Macintosh/.test(userAgent)
        ? 'macOS'
        : /Android/.test(userAgent)
          ? 'Android'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return os ? `${browserName} on ${os}` : browserName;
}
