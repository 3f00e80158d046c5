/**
 * The API keys this server knows: which account each belongs to, its mode and permissions, and
 * whether it has expired. Deleted keys are forgotten, so they look like keys that never existed.
 */
import { PERMISSION_IDS, type PermissionId } from '../../shared/permissions.js';
import { randomAlnum } from './wire.js';

export type StripePermission = PermissionId;

export interface KeyOptions {
  /** `publishable` is an addition: such keys authenticate but every endpoint refuses them (403). */
  type?: 'secret' | 'restricted' | 'publishable';
  mode?: 'test' | 'live';
  /** Restricted keys only; default all five. */
  permissions?: StripePermission[];
  /** Default: the server's default account, so keys created without one share data. */
  accountId?: string;
  /** 24-character body, like `sk_test_4eC39HqLyjWDarjtT1zdp7dc`, instead of 99. */
  legacy?: boolean;
  expired?: boolean;
  /** Restricted key may GET /v1/account; default false → 403. */
  accountReadable?: boolean;
  /**
   * Manage IP restrictions: only these addresses (or CIDR ranges) may use the key. Default: any.
   * The test server's callers are on loopback, so any list without 127.0.0.1 refuses them.
   */
  allowedIps?: string[];
}

export interface KeyRecord {
  key: string;
  type: 'secret' | 'restricted' | 'publishable';
  mode: 'test' | 'live';
  accountId: string;
  /** Only meaningful for restricted keys: secret keys can do everything. */
  permissions: Set<StripePermission>;
  expired: boolean;
  accountReadable: boolean;
  /** The key's id in the Dashboard, used by the Format B "edit permissions" link. */
  dashboardId: string;
  /** Manage IP restrictions, or null for a key any address may use. */
  allowedIps: string[] | null;
}

const PREFIX = { secret: 'sk', restricted: 'rk', publishable: 'pk' } as const;
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

export class KeyRegistry {
  private readonly keys = new Map<string, KeyRecord>();

  constructor(readonly defaultAccountId: string) {}

  create(opts: KeyOptions = {}): string {
    const type = opts.type ?? 'secret';
    const mode = opts.mode ?? 'test';
    const accountId = opts.accountId ?? this.defaultAccountId;
    let key: string;
    do key = `${PREFIX[type]}_${mode}_${newKeyBody(accountId, opts.legacy ?? false)}`;
    while (this.keys.has(key));
    this.keys.set(key, {
      key,
      type,
      mode,
      accountId,
      permissions: new Set(opts.permissions ?? PERMISSION_IDS),
      expired: opts.expired ?? false,
      accountReadable: opts.accountReadable ?? false,
      dashboardId: `mk_1${randomAlnum(23)}`,
      allowedIps: opts.allowedIps ?? null,
    });
    return key;
  }

  lookup(key: string): KeyRecord | undefined {
    return this.keys.get(key);
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
    if (record.type !== 'restricted') {
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
