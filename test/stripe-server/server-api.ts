/** What a test sees of the Stripe test server: its handle, the options it starts with, and the requests it recorded. */
import type Stripe from 'stripe';
import type { PermissionWording } from './access.js';
import type { FaultSpec } from './faults.js';
import type { KeyOptions, StripePermission } from './keys.js';
import type { SeedCounts } from './store.js';

export interface RecordedRequest {
  /** When it arrived, in ms since the epoch, sub-millisecond (performance.timeOrigin + performance.now()). */
  receivedAt: number;
  /** The Stripe account of the key it was sent with — whatever the answer — or null for a key this server doesn't know. */
  accountId: string | null;
  method: string;
  /** Without the query string. */
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** 0 while pending, and for requests that never got a response (hang, reset). */
  status: number;
  /** The client's port: requests over one keep-alive connection share it. */
  remotePort: number | undefined;
}

export interface StripeTestServer {
  url: string;
  host: string;
  port: number;
  /** SDK config to reach this server: `new Stripe(key, { ...server.sdkConfig })`. */
  sdkConfig: { host: string; port: number; protocol: 'http' };
  /** The account keys belong to when createKey() is given no accountId. */
  defaultAccountId: string;
  /** A new realistic random key: prefix + `51…` (99 chars after the prefix), or 24 if legacy. */
  createKey(opts?: KeyOptions): string;
  /**
   * A new account named `name` (its Dashboard display name): a sandbox by default — each sandbox is
   * its own account — or a live account (`sandbox: false`), optionally in an organization.
   */
  createAccount(opts: { name: string; sandbox?: boolean; organization?: string }): string;
  /** An organization of these accounts (more join with createAccount): its id, for createKey({type: 'organization'}). */
  createOrganization(accountIds?: string[]): string;
  /** Stripe's Rotate with an Expiration: a new key like this one, which keeps working until `expiresAt` (then 401 api_key_expired). */
  rotateKey(key: string, opts: { expiresAt: Date }): string;
  /** Afterwards: 401 invalid. */
  deleteKey(key: string): void;
  /** Afterwards: 401 api_key_expired. */
  expireKey(key: string): void;
  /** Restricted keys only (secret keys always have every permission). */
  setPermissions(key: string, perms: StripePermission[]): void;
  /** Manage IP restrictions: afterwards only these addresses (or CIDR ranges) may use the key; null lifts the restriction. */
  setAllowedIps(key: string, allowedIps: string[] | null): void;
  /** Added to every response. */
  setLatency(ms: number): void;
  /**
   * Answers no request that `matches` (default: every request) until the returned function is
   * called; requests are still recorded as they arrive.
   */
  hold(matches?: (request: RecordedRequest) => boolean): () => void;
  /** Fault injection for the next `count` requests (default: all until cleared) on an optional path prefix. */
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Which of Stripe's two 403 wordings to send (access.ts: A, the older; B, the newer). Settable at any time. */
  permissionWording: PermissionWording;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  resetRequests(): void;
  /** Adds realistic objects to an account (older than anything created so far). */
  seed(accountId: string, data: SeedCounts): void;
  /** Copies of the stored objects, newest first, for assertions. */
  store: {
    customers(accountId: string): Stripe.Customer[];
    charges(accountId: string): Stripe.Charge[];
    balanceTransactions(accountId: string): Stripe.BalanceTransaction[];
  };
  /** Ends hanging requests and keep-alive sockets too. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Keep every request in `requests` (default true). The CLI turns it off so long benchmarks do not grow memory. */
  recordRequests?: boolean;
}
