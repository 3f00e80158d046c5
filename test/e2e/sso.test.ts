/**
 * Sign in with SSO the way a person does, in a real Chromium against the real backend (its
 * production bundle) and a real OpenID provider on loopback (test/oidc-provider): **Sign in with
 * SSO** on the console's sign-in page → the provider's sign-in page → choose the account, **Sign
 * in** → back in the console, signed in as that person. An account whose e-mail the provider has
 * not verified comes back to the sign-in page with the refusal, signed in as no one.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors.js';
import { type OidcProviderHandle, startOidcProvider } from '../oidc-provider/index.js';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';
import { expectNoAxeViolations } from './accessibility.js';
import { startBackend, type Backend } from './backend.js';
import { findChromium } from './chromium.js';
import { buildConsole } from './console.js';
import { screenshot, signedInAs, UI_TIMEOUT } from './console-page.js';

const CLIENT = { clientId: 'serval-console', clientSecret: 'the-e2e-client-secret' };

let provider: OidcProviderHandle;
let stripe: StripeTestServer;
let backend: Backend;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
const pageErrors: string[] = [];

/** From the console's sign-in page to the provider's, and signs in there as `account`. */
async function signInWithSso(account: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.getByRole('heading', { name: 'Test Identity Provider' }).waitFor();
  expect(new URL(page.url()).origin).toBe(provider.url);
  await page.getByLabel('Account').selectOption(account);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('SSO in the web console', () => {
  beforeAll(async () => {
    buildConsole();
    provider = await startOidcProvider({
      accounts: [
        { id: 'ada', email: 'ada@example.com', emailVerified: true, name: 'Ada Lovelace' },
        { id: 'mallory', email: 'mallory@example.com', emailVerified: false, name: 'Mallory' },
      ],
    });
    stripe = await startStripeServer({ port: 0 });
    backend = await startBackend({
      stripeApiBase: stripe.url,
      env: { SERVAL_OIDC_ISSUER: provider.issuer, SERVAL_OIDC_CLIENT_ID: CLIENT.clientId, SERVAL_OIDC_CLIENT_SECRET: CLIENT.clientSecret },
    });
    // The redirect URI an admin registers at the provider: the console's public origin on loopback.
    provider.registerClient({ ...CLIENT, redirectUris: [`http://localhost:${new URL(backend.url).port}/api/session/oidc/callback`] });
    adminToken = (await backend.pairDevice('Admin shell')).token; // the first pairing: Owner, an admin
    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
    await stripe?.close();
    await provider?.close();
  });

  it('signs a person in through the identity provider, and refuses an e-mail the provider has not verified', async () => {
    const created = await backend.api('POST', '/api/people', { token: adminToken, body: { name: 'Ada Lovelace', email: 'ada@example.com', role: 'member' } });
    expect(created.status).toBe(201);

    // The console as npm start prints it, at 127.0.0.1: SSO moves it to its public origin on the way.
    await page.goto(`${backend.url}/sign-in`);
    await signInWithSso('ada');
    await signedInAs(page, 'Ada Lovelace');
    const port = new URL(backend.url).port;
    expect(page.url()).toBe(`http://localhost:${port}/`); // the fragment with the secret is gone
    expect(await page.evaluate(() => localStorage.getItem('serval.session'))).toMatch(/^sss_[A-Za-z0-9_-]{43}$/);
    const cookies = await context.cookies(`http://localhost:${port}/api/session/oidc/callback`);
    expect(cookies.find((c) => c.name === 'serval_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', domain: 'localhost', path: '/' });
    expect(
      cookies.find((c) => c.name === 'serval_oidc'),
      'the flow cookie is spent',
    ).toBeUndefined();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    // A new person at the provider: forget the provider's own session (its cookies on 127.0.0.1).
    await context.clearCookies({ domain: '127.0.0.1' });
    await signInWithSso('mallory');
    await page.getByText(ERRORS.sso_refused.message).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).search).toBe(''); // the console took ?error= out of the address
    expect(await page.evaluate(() => localStorage.getItem('serval.session'))).toBeNull();
    expect((await context.cookies(`http://localhost:${port}/`)).find((c) => c.name === 'serval_session')).toBeUndefined();
    await expectNoAxeViolations(page, 'page', 'console sign-in after a refused SSO');
    await screenshot(page, 'console-sso-refused.png');

    const audit = await backend.api('GET', '/api/audit', { token: adminToken });
    expect(audit.status).toBe(200);
    const sessions = audit.body.events.filter((e: { action: string }) => e.action === 'session.started');
    expect(sessions.map((e: { person: { name: string }; detail: { method: string } }) => [e.person.name, e.detail.method])).toEqual([['Ada Lovelace', 'oidc']]);
    expect(pageErrors).toEqual([]);
  });
});
