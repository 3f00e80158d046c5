/**
 * DNS rebinding: a web page can point its own domain at 127.0.0.1 and then talk to a backend on
 * loopback as a "same-origin" site. A backend bound to loopback therefore answers only requests
 * whose Host names loopback; a backend bound elsewhere was deliberately exposed and answers any.
 *
 * What decides is the address the server is bound to, not how HOST spells it: `127.1`, `0x7f.1`,
 * `0::1`, `::0:1` and `::ffff:7f00:1` all bind to loopback.
 */
import net from 'node:net';

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 range. */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The host name of a Host header or a bind address, lower case, without port or brackets: `[::1]:8787` → `::1`. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  // More than one colon and no brackets: a bare IPv6 address, which has no port to strip.
  if (h.indexOf(':') !== h.lastIndexOf(':')) return h;
  return h.replace(/:\d*$/, '');
}

/**
 * An IP address in any spelling the URL parser reads as one (`127.1`, `2130706433`, `0x7f.1`,
 * `0::1`), in its canonical form (`127.0.0.1`, `::1`); null for a name. getaddrinfo, which Node's
 * listen() uses, reads the same numeric spellings, so this is the address such a HOST binds to.
 */
export function ipAddress(name: string): string | null {
  const h = hostName(name);
  // Digits, hex, `x` (0x7f), dots and colons: what an address can be spelled with. Nothing else
  // reaches the URL parser, which would read `a@127.0.0.1` as a user name before a host.
  if (!/^[0-9a-fx.:]+$/.test(h)) return null;
  try {
    const parsed = new URL(`http://${net.isIPv6(h) ? `[${h}]` : h}/`).hostname.replace(/^\[|\]$/g, '');
    return net.isIP(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** An address (as server.address() gives it, or any spelling ipAddress reads) in 127.0.0.0/8, ::1, or IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const ip = ipAddress(address);
  if (ip === null) return false;
  return LOOPBACK.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6');
}

/** `localhost`, or a loopback address in any spelling. */
export function isLoopbackName(name: string): boolean {
  const h = hostName(name);
  // What browsers send nearly every time, without parsing.
  if (h === 'localhost' || h === '127.0.0.1' || h === '::1') return true;
  return isLoopbackAddress(h);
}

/** The Host check for a bind address: loopback binds accept only loopback host names; others, any (null). */
export function hostCheckFor(bindHost: string): ((hostHeader: string) => boolean) | null {
  return isLoopbackName(bindHost) ? isLoopbackName : null;
}

export type HostPolicy = {
  /** Whether a request with this Host header is answered. */
  allows(hostHeader: string): boolean;
  /** The address the server is listening on (server.address()): from now on, it decides. */
  boundTo(address: string): void;
};

/**
 * The Host check of one server: until it listens, decided from HOST as written (an in-process app
 * that never listens keeps that); once it listens, from the address it is bound to — so a name that
 * resolves to loopback turns the check on too.
 */
export function hostPolicy(bindHost: string): HostPolicy {
  let check = hostCheckFor(bindHost);
  return {
    allows: (hostHeader) => check === null || check(hostHeader),
    boundTo(address) {
      check = isLoopbackAddress(address) ? isLoopbackName : null;
    },
  };
}
