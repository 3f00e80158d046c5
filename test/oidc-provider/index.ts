/**
 * A real OpenID provider for the tests (`oidc-provider`, the certified Node.js implementation),
 * on a loopback port: one confidential client per backend under test (client_secret_basic,
 * PKCE required), accounts with verified and unverified e-mail addresses, and a minimal sign-in
 * page of our own instead of the library's dev interactions (whose page loads a web font from
 * the internet). Consent is granted by the provider itself (loadExistingGrant), as a company's
 * provider does for its own applications, so the dance is: sign-in page → back to the client.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { memoryAdapter } from './memory-adapter.js';
import { renderSignInPage } from './sign-in-page.js';

export type TestAccount = { id: string; email: string; emailVerified: boolean; name?: string };
export type TestClient = { clientId: string; clientSecret: string; redirectUris: string[] };

export type OidcProviderHandle = {
  /** The issuer identifier the provider puts in its metadata and tokens. */
  issuer: string;
  /** Where it listens: http://127.0.0.1:<port>. */
  url: string;
  port: number;
  /** Registers a client after the start: for a backend whose port (and so its redirect URI) is known only once it runs. */
  registerClient(client: TestClient): void;
  close(): Promise<void>;
};

export type ProviderOptions = {
  /** Clients known from the start; more with registerClient(). */
  clients?: TestClient[];
  accounts: TestAccount[];
  /** The issuer it claims to be, given its own port; default http://127.0.0.1:<port>. */
  issuer?: (port: number) => string;
  /**
   * True (oidc-provider's default): the e-mail claims come from the userinfo endpoint only, as
   * the spec says when an access token is issued. False: in the ID token too.
   */
  claimsOnlyFromUserinfo?: boolean;
};

const SIGNING_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

export async function startOidcProvider(options: ProviderOptions): Promise<OidcProviderHandle> {
  let handle: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const issuer = options.issuer?.(port) ?? url;
  const accounts = new Map(options.accounts.map((a) => [a.id, a]));
  const storage = memoryAdapter();

  const configuration: Configuration = {
    adapter: storage.Adapter,
    clients: (options.clients ?? []).map(clientMetadata),
    jwks: { keys: [{ ...SIGNING_KEY, kid: 'test-signing-key', alg: 'RS256', use: 'sig' } as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.claimsOnlyFromUserinfo ?? true,
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: account.emailVerified, ...(account.name ? { name: account.name } : {}) };
        },
      };
    },
    // The provider's own applications need no consent screen: every scope asked for is granted.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { provider, client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session?.grantIdFor(client!.clientId);
      if (grantId) return provider.Grant.find(grantId);
      const grant = new provider.Grant({ clientId: client!.clientId, accountId: session!.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  handle = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', url).pathname);
    if (!match) return void oidc(req, res);
    interact(provider, accounts, req, res, Boolean(match[2])).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${(error as Error).message}`);
    });
  };

  return {
    issuer,
    url,
    port,
    registerClient: (client) => storage.put('Client', client.clientId, clientMetadata(client) as never),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function clientMetadata(client: TestClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** GET: the sign-in page; POST …/login with `login=<account id>`: signs that account in. */
async function interact(provider: Provider, accounts: Map<string, TestAccount>, req: http.IncomingMessage, res: http.ServerResponse, submit: boolean) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
  if (!submit) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(renderSignInPage({ action: `/interaction/${details.uid}/login`, accounts: [...accounts.values()] }));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const accountId = form.get('login') ?? '';
  if (!accounts.has(accountId)) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(renderSignInPage({ action: `/interaction/${details.uid}/login`, accounts: [...accounts.values()], error: 'No such account.' }));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
