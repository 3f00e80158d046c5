/**
 * The Backend URL a person types at pairing, whether it is safe to send a device token (and so a
 * Stripe key) to it, and whether the browser must be asked for access to it. Pure.
 */
import { browserAndSystem } from '../../shared/user-agent.js';

/**
 * Why a Backend URL is refused: not a URL we can use (`invalid_backend_url`), or plain http:// to
 * a host that is not this computer (`insecure_backend_url`), where the pairing code, the device
 * token and every Stripe key sent would cross the network in clear.
 */
export type BackendUrlRefusal = 'invalid_backend_url' | 'insecure_backend_url';

export type BackendUrl = { ok: true; url: string } | { ok: false; code: BackendUrlRefusal };

/**
 * Loopback as the URL parser leaves a host name: any 127.x.y.z (it has already turned `127.1` or
 * `0x7f.0.0.1` into dotted decimal), `localhost` and `[::1]`.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * True when requests to this URL are encrypted or stay on this computer: https://, or http:// to
 * loopback. Anything else is refused before any request, at pairing and at every call.
 */
export function isSecureBackendUrl(backendUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(backendUrl);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * `127.0.0.1:8787/` → `http://127.0.0.1:8787`; `serval.example.com` → `https://serval.example.com`
 * (without a scheme, loopback gets http:// and every other host https://). Query, fragment and
 * trailing slashes go. An explicit http:// to a host off this computer is refused.
 */
export function normalizeBackendUrl(input: string): BackendUrl {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, code: 'invalid_backend_url' };
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? new URL(trimmed) : withDefaultScheme(trimmed);
  } catch {
    return { ok: false, code: 'invalid_backend_url' };
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) {
    return { ok: false, code: 'invalid_backend_url' };
  }
  const path = url.pathname.replace(/\/+$/, '');
  const normalized = `${url.origin}${path}`;
  return isSecureBackendUrl(normalized) ? { ok: true, url: normalized } : { ok: false, code: 'insecure_backend_url' };
}

function withDefaultScheme(input: string): URL {
  const url = new URL(`http://${input}`);
  return isLoopbackHost(url.hostname) ? url : new URL(`https://${input}`);
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
  const { browser, os } = browserAndSystem(userAgent);
  return os ? `${browser ?? 'Browser'} on ${os}` : (browser ?? 'Browser');
}
