/**
 * The API keys this server knows: which account each belongs to, its mode and permissions, and
 * whether it has expired. Deleted keys are forgotten, so they look like keys that never existed.
 */
import { PERMISSION_IDS, type PermissionId } from '../../shared/permissions.js';
import { randomAlnum } from './wire.js';

export type StripePermission = PermissionId;

export interface KeyOptions {
  /**
   * `publishable` is an addition: such keys authenticate but every endpoint refuses them (403).
   * `organization`: an `sk_org_…` key of `organization` (./organizations.ts), whatever its permissions.
   */
  type?: 'secret' | 'restricted' | 'publishable' | 'organization';
  mode?: 'test' | 'live';
  /** Restricted and organization keys only; default all five. */
  permissions?: StripePermission[];
  /** Organization keys: the organization (StripeTestServer.createOrganization). */
  organization?: string;
  /**
   * Restricted test keys: a claimable sandbox's (`rkcs_test_…`), as the Stripe CLI stores for a
   * sandbox it provisioned (seen in public configs and tests, 2026; docs.stripe.com/sandboxes/claimable-sandboxes).
   */
  claimable?: boolean;
  /** Default: the server's default account, so keys created without one share data. */
  accountId?: string;
  /** 24-character body, like `sk_test_4eC39HqLyjWDarjtT1zdp7dc`, instead of 99. */
  legacy?: boolean;
  expired?: boolean;
  /** Restricted key may GET /v1/account; default false → 403 (an organization key: true unless given permissions). */
  accountReadable?: boolean;
  /**
   * Manage IP restrictions: only these addresses (or CIDR ranges) may use the key. Default: any.
   * The test server's callers are on loopback, so any list without 127.0.0.1 refuses them.
   */
  allowedIps?: string[];
}

export interface KeyRecord {
  key: string;
  type: 'secret' | 'restricted' | 'publishable' | 'organization';
  /** An organization key's is the mode of the account it acts on (./organizations.ts `actingKey`). */
  mode: 'test' | 'live';
  /** An organization key's organization, until it acts on one of its accounts. */
  accountId: string;
  /** Only meaningful for restricted keys: secret keys can do everything. */
  permissions: Set<StripePermission>;
  expired: boolean;
  accountReadable: boolean;
  /** The key's id in the Dashboard, used by the Format B "edit permissions" link. */
  dashboardId: string;
  /** Manage IP restrictions, or null for a key any address may use. */
  allowedIps: string[] | null;
  /** Rotated with an Expiration (docs.stripe.com/keys: "rotate … expire"): from then on it is an expired key. */
  expiresAt: number | null;
}

const PREFIX = { secret: 'sk', restricted: 'rk', publishable: 'pk', organization: 'sk' } as const;
const MODERN_BODY_LENGTH = 99;
const LEGACY_BODY_LENGTH = 24;

/** `acct_1` + 15 alphanumerics, like `acct_1OuEMLAlTWGaDypq`. */
export function newAccountId(): string {
  return `acct_1${randomAlnum(15)}`;
}

/**
 * Modern key bodies start with `51` and, in real keys, appear to continue with the account id's
 * tail (`acct_1OuEMLAlTWGaDypq` → `sk_test_51OuEMLAlTWGaDypq…`). We mimic that when the account
 * id has the usual shape; nothing may depend on it (an observation, not something Stripe documents).
 */
function newKeyBody(accountId: string, legacy: boolean): string {
  if (legacy) return randomAlnum(LEGACY_BODY_LENGTH);
  const accountTail = /^acct_1[A-Za-z0-9]{15}$/.test(accountId) ? accountId.slice('acct_1'.length) : '';
  const start = `51${accountTail}`;
  return start + randomAlnum(MODERN_BODY_LENGTH - start.length);
}

function organizationOf(opts: KeyOptions): string {
  if (!opts.organization) throw new Error('createKey: an organization key needs `organization` (createOrganization)');
  return opts.organization;
}

/** A claimable sandbox is a sandbox: its keys are test keys. */
function claimablePrefix(mode: 'test' | 'live'): string {
  if (mode !== 'test') throw new Error('createKey: a claimable sandbox has test keys only');
  return 'rkcs_test_';
}

export class KeyRegistry {
  private readonly keys = new Map<string, KeyRecord>();

  constructor(readonly defaultAccountId: string) {}

  create(opts: KeyOptions = {}): string {
    const type = opts.type ?? 'secret';
    const mode = opts.mode ?? 'test';
    const accountId = type === 'organization' ? organizationOf(opts) : (opts.accountId ?? this.defaultAccountId);
    const prefix = type === 'organization' ? 'sk_org_' : type === 'restricted' && opts.claimable ? claimablePrefix(mode) : `${PREFIX[type]}_${mode}_`;
    let key: string;
    do key = prefix + newKeyBody(accountId, opts.legacy ?? false);
    while (this.keys.has(key));
    this.keys.set(key, {
      key,
      type,
      mode,
      accountId,
      permissions: new Set(opts.permissions ?? PERMISSION_IDS),
      expired: opts.expired ?? false,
      accountReadable: opts.accountReadable ?? (type === 'organization' && opts.permissions === undefined),
      dashboardId: `mk_1${randomAlnum(23)}`,
      allowedIps: opts.allowedIps ?? null,
      expiresAt: null,
    });
    return key;
  }

  /** A key past the Expiration it was rotated with is an expired key from then on. */
  lookup(key: string): KeyRecord | undefined {
    const record = this.keys.get(key);
    if (record?.expiresAt != null && Date.now() >= record.expiresAt) record.expired = true;
    return record;
  }

  /**
   * Stripe's Rotate: a new key like the old one (same account, mode, type, permissions), and the
   * old key working until `expiresAt` (the Rotate dialog's Expiration: now, or up to 7 days).
   */
  rotate(key: string, expiresAt: Date): string {
    const old = this.known(key);
    const next = this.create({
      type: old.type,
      mode: old.mode,
      accountId: old.type === 'organization' ? undefined : old.accountId,
      organization: old.type === 'organization' ? old.accountId : undefined,
      permissions: [...old.permissions],
      claimable: old.key.startsWith('rkcs_'),
      accountReadable: old.accountReadable,
    });
    old.expiresAt = expiresAt.getTime();
    return next;
  }

  delete(key: string): void {
    this.known(key);
    this.keys.delete(key);
  }

  expire(key: string): void {
    this.known(key).expired = true;
  }

  setPermissions(key: string, permissions: StripePermission[]): void {
    const record = this.known(key);
    if (record.type !== 'restricted' && record.type !== 'organization') {
      throw new Error(`setPermissions: ${record.type} keys have fixed permissions; create a restricted key instead`);
    }
    record.permissions = new Set(permissions);
  }

  /** Manage IP restrictions: the addresses that may use the key from now on, or null for any. */
  setAllowedIps(key: string, allowedIps: string[] | null): void {
    this.known(key).allowedIps = allowedIps;
  }

  /** Misuse of the test API (an unknown key) is a bug in the test: fail loudly. */
  private known(key: string): KeyRecord {
    const record = this.keys.get(key);
    if (!record) throw new Error('Stripe test server: unknown key (never created, or already deleted)');
    return record;
  }
}
