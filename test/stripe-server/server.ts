/**
 * The HTTP server and its request pipeline, in Stripe's order:
 * record → fault injection → latency → key (401) → route (404) → permission (403) →
 * idempotent replay → parameters and existence (400/404) → 200.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, checkAccountAccess, checkPermission, keyFromAuthorization, type PermissionWording } from './access.js';
import { FaultQueue, faultReply, type FaultSpec } from './faults.js';
import { KeyRegistry, newAccountId, type KeyOptions, type StripePermission } from './keys.js';
import { actingKey, Organizations } from './organizations.js';
import { parseForm } from './params.js';
import { findRoute } from './routes.js';
import type { RecordedRequest, StartOptions, StripeTestServer } from './server-api.js';
import { Store, type AccountData, type SeedCounts } from './store.js';
import { BASE_HEADERS, DEFAULT_STRIPE_VERSION, StripeWireError, newRequestId, stripeJson, unrecognizedUrl, type WireReply } from './wire.js';

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

class StripeServer implements StripeTestServer {
  readonly url: string;
  readonly sdkConfig: { host: string; port: number; protocol: 'http' };
  readonly defaultAccountId = newAccountId();
  permissionWording: PermissionWording = 'A';
  readonly requests: RecordedRequest[] = [];

  private readonly keys = new KeyRegistry(this.defaultAccountId);
  private readonly data = new Store();
  private readonly orgs = new Organizations();
  private readonly faults = new FaultQueue();
  private readonly latencyTimers = new Set<NodeJS.Timeout>();
  private held: { matches: (request: RecordedRequest) => boolean; until: Promise<void> } | null = null;
  private closing: Promise<void> | null = null;

  readonly store = {
    customers: (accountId: string) => structuredClone(this.data.account(accountId).customers.all()),
    charges: (accountId: string) => structuredClone(this.data.account(accountId).charges.all()),
    balanceTransactions: (accountId: string) => structuredClone(this.data.account(accountId).balanceTransactions.all()),
  };

  constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private latencyMs: number,
    private readonly recordRequests: boolean,
  ) {
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.sdkConfig = { host, port, protocol: 'http' };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('Stripe test server: unexpected error', error);
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
      });
    });
  }

  createKey(opts?: KeyOptions): string {
    return this.keys.create(opts);
  }
  createAccount({ name, sandbox = true, organization }: { name: string; sandbox?: boolean; organization?: string }): string {
    const accountId = newAccountId();
    this.data.createAccount(accountId, name);
    this.orgs.describe(accountId, { name, sandbox });
    if (organization) this.orgs.addAccount(organization, accountId);
    return accountId;
  }
  createOrganization(accountIds: string[] = []): string {
    return this.orgs.create(accountIds);
  }
  rotateKey(key: string, { expiresAt }: { expiresAt: Date }): string {
    return this.keys.rotate(key, expiresAt);
  }
  deleteKey(key: string): void {
    this.keys.delete(key);
  }
  expireKey(key: string): void {
    this.keys.expire(key);
  }
  setPermissions(key: string, perms: StripePermission[]): void {
    this.keys.setPermissions(key, perms);
  }
  setAllowedIps(key: string, allowedIps: string[] | null): void {
    this.keys.setAllowedIps(key, allowedIps);
  }
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }
  hold(matches: (request: RecordedRequest) => boolean = () => true): () => void {
    let release!: () => void;
    const held = { matches, until: new Promise<void>((resolve) => (release = resolve)) };
    this.held = held;
    return () => {
      if (this.held === held) this.held = null;
      release();
    };
  }
  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }
  clearFaults(): void {
    this.faults.clear();
  }
  resetRequests(): void {
    this.requests.length = 0; // in place, so references held by tests stay current
  }
  seed(accountId: string, counts: SeedCounts): void {
    this.data.seed(accountId, counts);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.latencyTimers) clearTimeout(timer);
      this.latencyTimers.clear();
      this.server.close(() => resolve());
      // Hanging requests and idle keep-alive sockets would otherwise hold close() open.
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private delay(): Promise<void> {
    if (this.latencyMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.latencyTimers.delete(timer);
        resolve();
      }, this.latencyMs);
      this.latencyTimers.add(timer);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stripe.test');
    const sentKey = keyFromAuthorization(firstHeader(req, 'authorization'));
    const record: RecordedRequest = {
      receivedAt: performance.timeOrigin + performance.now(),
      accountId: this.accountOf(sentKey, firstHeader(req, 'stripe-context')),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      headers: { ...req.headers },
      body: '',
      status: 0,
      remotePort: req.socket.remotePort,
    };
    if (this.recordRequests) this.requests.push(record);
    record.body = await readBody(req);

    const fault = this.faults.take(record.path);
    if (fault?.kind === 'hang') return; // never answered; close() destroys the socket
    if (this.held?.matches(record)) await this.held.until;
    await this.delay();
    if (this.closing || res.destroyed) return;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }

    const requestId = newRequestId();
    const reply = fault ? faultReply(fault) : this.answer(req, record, requestId);
    this.send(req, res, record, reply, requestId);
  }

  /** Everything after fault injection: the Stripe semantics proper. */
  private answer(req: IncomingMessage, record: RecordedRequest, requestId: string): WireReply {
    const auth = authenticate(firstHeader(req, 'authorization'), this.keys, req.socket.remoteAddress);
    if (!auth.ok) return auth.reply;
    try {
      // An organization key acts on the account its Stripe-Context names (./organizations.ts).
      const key = actingKey(auth.key, { stripeContext: firstHeader(req, 'stripe-context'), stripeVersion: firstHeader(req, 'stripe-version') }, this.orgs);
      const data = this.data.account(key.accountId);
      const found = findRoute(record.method, record.path);
      if (!found) throw unrecognizedUrl(record.method, record.path);
      const { route, pathParams } = found;
      const denied = route.access === 'account' ? checkAccountAccess(key) : checkPermission(key, route.access, this.permissionWording);
      if (denied) throw denied;

      const idempotencyKey = record.method === 'POST' ? firstHeader(req, 'idempotency-key') : undefined;
      if (idempotencyKey) {
        const replay = this.replayIdempotent(data, idempotencyKey, record);
        if (replay) return replay;
      }

      // Stripe reads parameters from the query string, and for POST from the body as well.
      const params = { ...parseForm(record.query), ...(record.method === 'POST' ? parseForm(record.body) : {}) };
      const reply: WireReply = { status: 200, json: route.handle({ path: record.path, params, key, data }, pathParams) };
      if (idempotencyKey) {
        // Frozen as text: later updates to the object must not change what a replay returns.
        const frozen: WireReply = { status: reply.status, rawBody: stripeJson(reply.json) };
        data.idempotentResults.set(idempotencyKey, { method: record.method, path: record.path, body: record.body, reply: frozen, requestId });
      }
      return reply;
    } catch (error) {
      if (error instanceof StripeWireError) return error.toReply();
      throw error;
    }
  }

  /** The account a request acts on: the key's, or for an organization key the one its Stripe-Context names. */
  private accountOf(sentKey: string | null, stripeContext: string | undefined): string | null {
    const record = sentKey ? this.keys.lookup(sentKey) : undefined;
    if (!record) return null;
    return record.type === 'organization' ? (stripeContext ?? null) : record.accountId;
  }

  /**
   * A POST retried with the same Idempotency-Key gets the first answer again (successes only:
   * Stripe does not save results of requests that failed validation).
   */
  private replayIdempotent(data: AccountData, idempotencyKey: string, record: RecordedRequest): WireReply | null {
    const previous = data.idempotentResults.get(idempotencyKey);
    if (!previous) return null;
    if (previous.method !== record.method || previous.path !== record.path || previous.body !== record.body) {
      throw new StripeWireError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      });
    }
    return {
      ...previous.reply,
      headers: { ...previous.reply.headers, 'idempotent-replayed': 'true', 'original-request': previous.requestId },
    };
  }

  private send(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, reply: WireReply, requestId: string): void {
    const body = reply.rawBody ?? stripeJson(reply.json);
    const headers: Record<string, string> = { ...BASE_HEADERS, ...reply.headers, 'content-length': String(Buffer.byteLength(body)) };
    if (!reply.anonymous) {
      headers['request-id'] = requestId;
      headers['stripe-version'] = firstHeader(req, 'stripe-version') ?? DEFAULT_STRIPE_VERSION;
      const idempotencyKey = firstHeader(req, 'idempotency-key');
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    }
    record.status = reply.status;
    res.writeHead(reply.status, headers);
    res.end(body);
  }
}

/** Starts a server; `port` 0 (the default) picks a free port on 127.0.0.1. */
export async function startStripeServer(opts: StartOptions = {}): Promise<StripeTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return new StripeServer(server, host, port, opts.latencyMs ?? 0, opts.recordRequests ?? true);
}
