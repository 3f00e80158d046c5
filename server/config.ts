/**
 * Configuration, read from the environment once at start-up and validated. Nothing else in the
 * server reads process.env.
 */
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { ROLES, type Role } from '../shared/roles.js';
import { MasterKeyError, parseMasterKeys } from './crypto/master-key.js';
import { isLoopbackName } from './host-check.js';

function isKeyList(value: string): boolean {
  try {
    return value.includes('\n') ? false : parseMasterKeys(value, 'SERVAL_MASTER_KEY').length > 0;
  } catch (error) {
    if (error instanceof MasterKeyError) return false;
    throw error;
  }
}

const port = z.coerce.number().int().min(0).max(65535);

const ConfigSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  SERVAL_DATA_DIR: z.string().min(1).default('./data'),
  /** One key, or several comma-separated while rotating (`new,old`): each 32 bytes in base64. */
  SERVAL_MASTER_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || isKeyList(v), {
      message: 'must be 32 bytes encoded in base64 (e.g. `openssl rand -base64 32`), or several such keys separated by commas',
    }),
  /** PostgreSQL for several instances (postgres://… or postgresql://…); unset: SQLite in SERVAL_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^postgres(ql)?:\/\/./.test(v), { message: 'must be a postgres:// or postgresql:// URL' }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /** https; plain http only to loopback (a Stripe-compatible test server on this machine). */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://api.stripe.com' }).default('https://api.stripe.com'),
  /** How long one request to Stripe may take before it counts as "Stripe unavailable". */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Retries of connection errors and 5xx (stripe-node's own retry logic); 401/403/429 are never retried. */
  STRIPE_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  /** A key older than this (since it was connected) is due for rotation; decimals allowed; 0 turns it off. */
  SERVAL_KEY_MAX_AGE_DAYS: z.coerce.number().min(0).max(3650).default(90),
  /** How often stored keys are re-checked with Stripe; 0 turns the schedule off. */
  SERVAL_RECHECK_INTERVAL_MINUTES: z.coerce.number().min(0).max(10_080).default(360),
  /** A console session ends after this long without a request… */
  SERVAL_SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(43_200).default(60),
  /** …and this long after sign-in, whatever happens. */
  SERVAL_SESSION_MAX_HOURS: z.coerce.number().min(0.1).max(8_760).default(12),
  /** An alert not delivered is tried again after this long, then twice as long, and so on, for up to 24 h. */
  SERVAL_ALERT_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(86_400).default(60),
  /** 1: alert endpoints may be on private and link-local addresses (never cloud metadata). */
  SERVAL_ALERTS_ALLOW_PRIVATE: z.enum(['0', '1'], { message: 'must be 0 or 1' }).default('0'),
  /**
   * Behind a reverse proxy: a hop count (`1`) or the proxies' addresses (`10.0.0.1, 10.0.0.2`,
   * CIDR ranges allowed). The pairing and sign-in brakes then count the client from
   * X-Forwarded-For; unset, they count the socket's address.
   */
  SERVAL_TRUST_PROXY: z.string().trim().min(1).optional(),
  /** The console's public origin (https://serval.example.com), for invite links, passkeys and the SSO redirect. Unset: http://localhost:<PORT> on loopback. */
  SERVAL_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) origin such as https://serval.example.com' })
    .refine((v) => new URL(v).pathname === '/' && !new URL(v).search && !new URL(v).hash, { message: 'must be an origin only (no path)' })
    .optional(),
  /** Single sign-on (OpenID Connect): all three, or none. */
  SERVAL_OIDC_ISSUER: z.url({ protocol: /^https?$/, message: 'must be the issuer URL, e.g. https://accounts.example.com' }).optional(),
  SERVAL_OIDC_CLIENT_ID: z.string().min(1).optional(),
  SERVAL_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The role of someone the identity provider signs in whom no one here has: unset, they are refused. */
  SERVAL_OIDC_DEFAULT_ROLE: z.enum(ROLES).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: one JSON line per event, for machines; pretty: short readable lines. Unset: pretty on a terminal, else json. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  /** From SERVAL_MASTER_KEY: the first seals, all open. null: master.key in the data dir. */
  masterKeys: Buffer[] | null;
  database: { url: string | null; poolSize: number };
  stripe: { host: string; port: number; protocol: 'http' | 'https'; timeoutMs: number; maxRetries: number };
  recheckIntervalMs: number;
  /** 0: key age not tracked. */
  keyMaxAgeMs: number;
  sessions: { idleMs: number; maxMs: number };
  alerts: { retryBaseMs: number; allowPrivate: boolean };
  /** SERVAL_TRUST_PROXY: a hop count, or the trusted proxies' addresses; null: trust no X-Forwarded-For. */
  trustProxy: number | string[] | null;
  /** SERVAL_PUBLIC_URL's origin, without a trailing slash; null: unset. */
  publicUrl: string | null;
  /** null: single sign-on is off. */
  oidc: { issuer: string; clientId: string; clientSecret: string; defaultRole: Role | null } | null;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  /** null: decided by whether stdout is a terminal. */
  logFormat: 'json' | 'pretty' | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Empty strings count as unset, as they do in most shells' `VAR= npm start`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = result.data;
  if (c.DATABASE_URL && !c.SERVAL_MASTER_KEY) {
    throw new ConfigError([
      'SERVAL_MASTER_KEY: required with DATABASE_URL — every instance on the database must seal and open keys with the same master key ' +
        '(generate one with `openssl rand -base64 32`, keep it in your secret store, and give it to every instance)',
    ]);
  }
  const oidcSet = [c.SERVAL_OIDC_ISSUER, c.SERVAL_OIDC_CLIENT_ID, c.SERVAL_OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    throw new ConfigError(['SERVAL_OIDC_ISSUER, SERVAL_OIDC_CLIENT_ID and SERVAL_OIDC_CLIENT_SECRET: set all three for single sign-on, or none']);
  }
  const base = new URL(c.STRIPE_API_BASE);
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  // Every request to Stripe carries a key: in clear text only to this machine, as the extension allows the backend's URL.
  if (protocol === 'http' && !isLoopbackName(base.hostname)) {
    throw new ConfigError([
      `STRIPE_API_BASE: plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost) — every request to Stripe carries a key; use https://; not ${base.origin}`,
    ]);
  }
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.SERVAL_DATA_DIR),
    masterKeys: c.SERVAL_MASTER_KEY ? parseMasterKeys(c.SERVAL_MASTER_KEY, 'SERVAL_MASTER_KEY') : null,
    database: { url: c.DATABASE_URL ?? null, poolSize: c.DATABASE_POOL_SIZE },
    stripe: {
      host: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
      protocol,
      timeoutMs: c.STRIPE_TIMEOUT_MS,
      maxRetries: c.STRIPE_MAX_RETRIES,
    },
    recheckIntervalMs: c.SERVAL_RECHECK_INTERVAL_MINUTES * 60_000,
    keyMaxAgeMs: Math.round(c.SERVAL_KEY_MAX_AGE_DAYS * 86_400_000),
    sessions: { idleMs: Math.round(c.SERVAL_SESSION_IDLE_MINUTES * 60_000), maxMs: Math.round(c.SERVAL_SESSION_MAX_HOURS * 3_600_000) },
    alerts: { retryBaseMs: Math.round(c.SERVAL_ALERT_RETRY_BASE_SECONDS * 1000), allowPrivate: c.SERVAL_ALERTS_ALLOW_PRIVATE === '1' },
    trustProxy: parseTrustProxy(c.SERVAL_TRUST_PROXY),
    publicUrl: c.SERVAL_PUBLIC_URL ? new URL(c.SERVAL_PUBLIC_URL).origin : null,
    oidc:
      c.SERVAL_OIDC_ISSUER && c.SERVAL_OIDC_CLIENT_ID && c.SERVAL_OIDC_CLIENT_SECRET
        ? {
            issuer: c.SERVAL_OIDC_ISSUER,
            clientId: c.SERVAL_OIDC_CLIENT_ID,
            clientSecret: c.SERVAL_OIDC_CLIENT_SECRET,
            defaultRole: c.SERVAL_OIDC_DEFAULT_ROLE ?? null,
          }
        : null,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT ?? null,
  };
}

/** Whether proxy-addr, which applies the list (auth/client-address.ts), reads this address or range. */
function readableByProxyAddr(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/** `2` → 2 hops; `10.0.0.1, 10.0.1.0/24` → those proxies. */
function parseTrustProxy(value: string | undefined): number | string[] | null {
  if (value === undefined) return null;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 10) throw new ConfigError(['SERVAL_TRUST_PROXY: a hop count must be between 1 and 10']);
    return hops;
  }
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = list.filter((v) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(v) || !readableByProxyAddr(v));
  if (list.length === 0 || bad.length > 0) {
    throw new ConfigError([
      `SERVAL_TRUST_PROXY: must be a hop count or a comma-separated list of proxy addresses (CIDR allowed); not ${JSON.stringify(bad[0] ?? value)}`,
    ]);
  }
  return list;
}
