/**
 * DATABASE_URL, read as node-postgres reads it: what of it may be printed (every secret masked),
 * and whether the connection it makes is safe from whoever sits on the network between the
 * backend and the database — which carries the database password and every sealed key.
 *
 * node-postgres 8 (pg-connection-string 2) reads `sslmode=prefer|require|verify-ca` as aliases of
 * `verify-full`, and warns that pg 9 gives them libpq's meaning: `require` then encrypts without
 * checking the certificate (pg-connection-string's index.js, `deprecatedSslModeWarning`;
 * brianc/node-postgres#2709). Only `sslmode=verify-full` checks the certificate and the server's
 * name in both; `sslrootcert` names the CA to check against (else Node's built-in public CAs).
 */
import net from 'node:net';
import ConnectionParameters from 'pg/lib/connection-parameters';

/** Query parameters whose values are printed as they are; every other one (password, sslpassword, sslkey, anything unknown) prints as ***. */
const SHOWN_PARAMETERS = new Set([
  'host',
  'port',
  'db',
  'encoding',
  'ssl',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslnegotiation',
  'uselibpqcompat',
  'application_name',
  'client_encoding',
  'connect_timeout',
]);

const MASK = '***';

/**
 * postgres://serval:secret@db:5432/serval?password=x&sslmode=verify-full →
 * postgres://serval:***@db:5432/serval?password=***&sslmode=verify-full. The URL is read the way
 * pg-connection-string reads it (spaces and stray `%` encoded first; an empty host given a stand-in),
 * so what is masked is what node-postgres takes for the password.
 */
export function redactDatabaseUrl(url: string): string {
  const read = readUrl(url);
  if (!read) return 'postgres://(unparseable URL)';
  const { u, emptyHost } = read;
  if (u.password) u.password = MASK;
  u.hash = '';
  const query = u.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const rawKey = at === -1 ? pair : pair.slice(0, at);
      return SHOWN_PARAMETERS.has(decodeOrSelf(rawKey)) ? pair : `${rawKey}=${MASK}`;
    });
  u.search = '';
  const base = u.toString();
  return `${emptyHost ? base.replace('@___DUMMY___/', '@/') : base}${query.length ? `?${query.join('&')}` : ''}`;
}

function readUrl(url: string): { u: URL; emptyHost: boolean } | null {
  // As pg-connection-string's parse: spaces and a `%` that starts no escape are encoded first.
  const text = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url;
  try {
    return { u: new URL(text), emptyHost: false };
  } catch {
    try {
      return { u: new URL(text.replace('@/', '@___DUMMY___/')), emptyHost: true };
    } catch {
      return null;
    }
  }
}

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export type Transport = { safe: true; host: string; why: 'loopback' | 'unix socket' | 'verified TLS' } | { safe: false; host: string; problem: string };

/** What node-postgres makes of the URL (PGHOST and PGSSLMODE included, where the URL leaves them out). */
export type EffectiveConnection = {
  host: string;
  ssl: unknown;
  /** The URL's own `sslmode` and `uselibpqcompat`, which decide what pg 9 will make of it. */
  sslmode: string | null;
  libpqCompat: boolean;
};

/** Reads the URL with node-postgres's own ConnectionParameters (no connection is made). Null if pg can't read it either. */
export function effectiveConnection(url: string): EffectiveConnection | null {
  let params: ConnectionParameters;
  try {
    params = new ConnectionParameters(url);
  } catch {
    return null; // e.g. an sslrootcert file that isn't there: the pool fails with pg's own message
  }
  const search = readUrl(url)?.u.searchParams;
  return {
    host: params.host ?? 'localhost',
    ssl: params.ssl,
    sslmode: search?.get('sslmode') ?? null,
    libpqCompat: search?.get('uselibpqcompat') === 'true',
  };
}

/**
 * Whether a connection is safe from the network: on loopback or a unix socket, or over TLS that
 * checks both the certificate and the server's name — and will keep checking them under pg 9.
 */
export function judgeTransport(connection: EffectiveConnection): Transport {
  const { host, ssl } = connection;
  if (host.startsWith('/')) return { safe: true, host, why: 'unix socket' };
  if (isLoopbackHost(host)) return { safe: true, host, why: 'loopback' };
  if (!ssl) return { safe: false, host, problem: 'no TLS: the database password and every sealed key cross the network in clear' };
  const options = typeof ssl === 'object' ? (ssl as { rejectUnauthorized?: unknown; checkServerIdentity?: unknown }) : {};
  if (options.rejectUnauthorized === false) {
    return { safe: false, host, problem: "TLS that doesn't check the server's certificate: anyone on the way can stand in for the database" };
  }
  if (typeof options.checkServerIdentity === 'function') {
    return { safe: false, host, problem: "TLS that checks the certificate but not the server's name (sslmode=verify-ca)" };
  }
  const mode = connection.sslmode;
  if (!connection.libpqCompat && (mode === 'prefer' || mode === 'require' || mode === 'verify-ca')) {
    return {
      safe: false,
      host,
      problem: `sslmode=${mode} checks the certificate today only because node-postgres 8 reads it as verify-full; node-postgres 9 and libpq won't check it`,
    };
  }
  return { safe: true, host, why: 'verified TLS' };
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/**
 * `localhost`, or an address in 127.0.0.0/8, ::1 or IPv4-mapped loopback, however it is spelled:
 * the host goes through WHATWG's host parser first (127.1 → 127.0.0.1, ::0:1 → ::1), as
 * getaddrinfo reads such spellings when node-postgres connects.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (/^localhost\.?$/i.test(bare)) return true;
  let canonical: string;
  try {
    canonical = new URL(`http://${net.isIPv6(bare) ? `[${bare}]` : bare}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return false;
  }
  const family = net.isIP(canonical);
  return family !== 0 && LOOPBACK.check(canonical, family === 6 ? 'ipv6' : 'ipv4');
}

/** The one-line start-up warning for a connection that isn't safe, or null. */
export function transportWarning(url: string): { message: string; host: string; problem: string } | null {
  const connection = effectiveConnection(url);
  if (!connection) return null;
  const transport = judgeTransport(connection);
  if (transport.safe) return null;
  return {
    host: transport.host,
    problem: transport.problem,
    message:
      `PostgreSQL at ${transport.host} is reached without verified TLS (${transport.problem}). ` +
      'Add sslmode=verify-full&sslrootcert=/path/to/the-database-ca.pem to DATABASE_URL.',
  };
}
