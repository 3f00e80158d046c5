/**
 * Where an alert may go (SSRF): judged when an endpoint is added and again before every attempt,
 * on the very address the connection will use. Pure.
 *
 * - https:// only, except a loopback host (localhost, 127.0.0.0/8, ::1), which may use http://;
 *   no user name or password in the URL.
 * - Any other host must be, or resolve only to, public addresses: private (10/8, 172.16/12,
 *   192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10) and loopback reached
 *   through a name are refused unless SERVAL_ALERTS_ALLOW_PRIVATE=1. Cloud metadata addresses
 *   (169.254.169.254, fd00:ec2::254, 100.100.100.200) and the reserved ranges (0.0.0.0/8,
 *   multicast, documentation, benchmarking) are refused even then: no alert has any business there.
 * - IPv4 inside IPv6 (::ffff:10.0.0.5, 64:ff9b::a00:5, 2002:a00:5::) is judged as the IPv4 it carries.
 */
import net from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'metadata' | 'reserved';

const METADATA = new Set(['169.254.169.254', '100.100.100.200', 'fd00:ec2::254', '192.0.0.192']);

const V4_RANGES: Array<[string, number, AddressClass]> = [
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['169.254.0.0', 16, 'link_local'],
  ['0.0.0.0', 8, 'reserved'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(address: string): AddressClass {
  if (METADATA.has(address)) return 'metadata';
  const n = v4Number(address);
  for (const [base, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (Math.floor(n / size) === Math.floor(v4Number(base) / size)) return kind;
  }
  return 'public';
}

/** An IPv6 address as its 8 groups (numbers), whatever its spelling (::, an IPv4 tail). */
export function v6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4Number(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const fill = rest === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
}

function v4Of(hi: number, lo: number): string {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

function classifyV6(address: string): AddressClass {
  const g = v6Groups(address);
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (canonical === '0:0:0:0:0:0:0:1') return 'loopback';
  if (canonical === '0:0:0:0:0:0:0:0') return 'reserved';
  if (canonical === 'fd00:ec2:0:0:0:0:0:254') return 'metadata';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96): the IPv4 inside.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return classifyV4(v4Of(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(v4Of(g[6], g[7]));
  if (g[0] === 0x2002) return classifyV4(v4Of(g[1], g[2])); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // fc00::/7, unique local
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xffc0) === 0xfec0) return 'link_local'; // fe80::/10, and fec0::/10 (site-local, deprecated)
  if ((g[0] & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved'; // documentation
  if (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) return 'reserved'; // discard-only
  return 'public';
}

export function classifyAddress(address: string): AddressClass {
  const family = net.isIP(address);
  if (family === 4) return classifyV4(address);
  if (family === 6) return classifyV6(address);
  return 'reserved';
}

export class AlertUrlError extends Error {
  constructor(
    readonly code: 'alert_url_insecure' | 'alert_url_refused',
    message: string,
  ) {
    super(message);
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** A host that is this machine by its very spelling: localhost, or a loopback address. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || (net.isIP(host) !== 0 && classifyAddress(host) === 'loopback');
}

/** The URL's own rules, before any lookup: http(s), https unless loopback, no credentials. */
export function judgeUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AlertUrlError('alert_url_insecure', 'The alert endpoint is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AlertUrlError('alert_url_insecure', 'An alert endpoint must be an https:// URL.');
  if (url.username || url.password) throw new AlertUrlError('alert_url_insecure', 'An alert endpoint’s URL may not carry a user name or password.');
  if (url.protocol === 'http:' && !isLoopbackHost(hostOf(url))) {
    throw new AlertUrlError(
      'alert_url_insecure',
      `An alert endpoint must use https:// (plain http:// only on this machine), not ${url.protocol}//${url.host}.`,
    );
  }
  return url;
}

/**
 * Whether the connection may go to `address`, found for `host`. A loopback host must stay on
 * loopback; any other host must reach a public address (private and link-local allowed with
 * `allowPrivate`; cloud metadata never).
 */
export function judgeAddress(host: string, address: string, allowPrivate: boolean): void {
  const kind = classifyAddress(address);
  if (isLoopbackHost(host)) {
    if (kind === 'loopback') return;
    throw new AlertUrlError('alert_url_refused', `${host} resolves to ${address}, which is not this machine.`);
  }
  if (kind === 'public') return;
  // The setting opens the team's own networks, nothing else: never metadata, never a reserved range
  // (0.0.0.0/8, multicast, documentation, benchmarking), which no receiver lives on.
  if (allowPrivate && (kind === 'private' || kind === 'link_local' || kind === 'loopback')) return;
  const what = { loopback: 'loopback', private: 'private', link_local: 'link-local', metadata: 'cloud-metadata', reserved: 'reserved' }[kind];
  throw new AlertUrlError('alert_url_refused', `${host === address ? address : `${host} resolves to ${address}, which`} is a ${what} address.`);
}
