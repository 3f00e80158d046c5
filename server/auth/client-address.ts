/**
 * Where a request comes from, for the pairing and sign-in brakes, and whether it reached us over
 * https, for the session cookie. Without SERVAL_TRUST_PROXY: the socket's address and the request
 * URL's own protocol. With it (a hop count, or the proxies' addresses): the client address the
 * trusted proxies forwarded in X-Forwarded-For, and their X-Forwarded-Proto — read with
 * `proxy-addr`, as Express reads them, so an X-Forwarded-For from anyone but a trusted proxy
 * changes nothing.
 */
import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import proxyAddr from 'proxy-addr';
import type { AppEnv } from '../routes/openapi-helpers.js';

/** Whether the peer at `hop` (0: the socket's; 1: the last X-Forwarded-For entry; …) is a proxy we trust. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** The longest client address a brake keeps: an IPv6 address with a zone fits. */
const MAX_ADDRESS = 64;

/** config.trustProxy (which loadConfig checked proxy-addr reads) as a trust function; null: trust no one. */
export function compileProxyTrust(setting: number | string[] | null): ProxyTrust | null {
  if (setting === null) return null;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting);
}

/** Gives clientAddress and isHttps the trust setting for every request. */
export function proxyTrust(trust: ProxyTrust | null) {
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set('proxyTrust', trust);
    await next();
  });
}

/** The client's address: the socket's, or behind trusted proxies the one they forwarded for. */
export function clientAddress(c: Context<AppEnv>): string {
  const socket = socketAddress(c);
  if (socket === undefined) return 'unknown'; // not served by @hono/node-server (app.request in tests)
  const trust = c.get('proxyTrust');
  if (!trust) return socket;
  // proxy-addr reads only these two fields of a Node request.
  const request = { socket: { remoteAddress: socket }, headers: { 'x-forwarded-for': c.req.header('x-forwarded-for') } } as unknown as IncomingMessage;
  return proxyAddr(request, trust).slice(0, MAX_ADDRESS);
}

/**
 * Served over https: the request URL says so, or a trusted proxy that ends TLS says so in
 * X-Forwarded-Proto (its first value: the protocol the browser used). Never a header from anyone else.
 */
export function isHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  const trust = c.get('proxyTrust');
  const socket = socketAddress(c);
  if (!trust || socket === undefined || !trust(socket, 0)) return false;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
