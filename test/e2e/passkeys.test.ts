/**
 * Passkeys the way a person uses them, in a real Chromium against the real backend: an admin
 * invites someone (through the API); the invite link opens the console at http://localhost:<port>
 * (a secure context, and a host name a passkey can belong to); **Add a passkey** registers one
 * with the browser's authenticator — a virtual one, added through the DevTools protocol, that
 * keeps a discoverable credential and verifies the user — and signs in; **Sign out**; **Sign in
 * with a passkey** signs in again. Screenshots of the invite page and the sign-in page.
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './accessibility.js';
import { startBackendWithStripe, type Backend, type BackendWithStripe } from './backend.js';
import { findChromium } from './chromium.js';
import { buildConsole } from './console.js';
import { screenshot, signedInAs, UI_TIMEOUT } from './console-page.js';

let services: BackendWithStripe;
let backend: Backend;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let adminToken: string;
const pageErrors: string[] = [];

async function credentials(): Promise<Array<{ credentialId: string; isResidentCredential: boolean; rpId: string; userHandle: string; signCount: number }>> {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as never;
}

async function auditActions(): Promise<Array<{ action: string; person: { name: string } | null; detail: Record<string, unknown> }>> {
  const res = await backend.api('GET', '/api/audit', { token: adminToken });
  expect(res.status).toBe(200);
  return res.body.events;
}

describe('passkeys in the web console', () => {
  beforeAll(async () => {
    buildConsole();
    services = await startBackendWithStripe();
    ({ backend } = services);
    adminToken = (await backend.pairDevice('Admin shell')).token; // npm run pair: the first admin, Owner
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
      // HTTP refusals show as failed loads; a CSP violation or a script error does not.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    // The browser's authenticator: a platform one that keeps discoverable credentials and verifies the user.
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
  });

  it('adds a passkey from an invite link and signs in with it after signing out', async () => {
    const created = await backend.api('POST', '/api/people', { token: adminToken, body: { name: 'Ann Lee', email: 'ann@example.com', role: 'member' } });
    expect(created.status).toBe(201);
    const invite = await backend.api('POST', `/api/people/${created.body.person.id}/invites`, { token: adminToken, body: {} });
    expect(invite.status).toBe(201);
    const port = new URL(backend.url).port;
    expect(invite.body.url).toMatch(new RegExp(`^http://localhost:${port}/invite#inv_[A-Za-z0-9_-]{43}$`));

    await page.goto(invite.body.url);
    await page.getByText('This invite is for').waitFor();
    expect(await page.locator('main').textContent()).toContain('Ann Lee');
    await expectNoAxeViolations(page, 'page', 'console invite');
    await screenshot(page, 'console-invite.png');

    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await signedInAs(page, 'Ann Lee');
    // The invite's token has left the address bar and the history entry.
    expect(page.url()).not.toContain('inv_');
    const [credential] = await credentials();
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    expect(Buffer.from(credential.userHandle, 'base64').toString('utf8')).toBe(created.body.person.id);

    // The session's two halves: an HttpOnly, SameSite=Strict cookie, and the secret in the console's storage.
    const cookie = (await context.cookies()).find((c) => c.name === 'serval_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', domain: 'localhost' });
    expect(await page.evaluate(() => localStorage.getItem('serval.session'))).toMatch(/^sss_/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('serval.session'))).toBeNull();
    await expectNoAxeViolations(page, 'page', 'console sign-in with a passkey');
    await screenshot(page, 'console-passkey-sign-in.png');

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await signedInAs(page, 'Ann Lee');
    expect((await credentials())[0].signCount).toBeGreaterThan(credential.signCount);

    // The invite was used up: opening the link again says so.
    await page.goto(invite.body.url);
    await page.getByText('This invite link is wrong, expired or already used.').waitFor();

    const events = (await auditActions()).filter((e) => e.person?.name === 'Ann Lee');
    expect(events.filter((e) => e.action === 'passkey.added')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'session.started').map((e) => e.detail.method)).toEqual(['passkey', 'passkey']);
    expect(pageErrors).toEqual([]);
  });
});
