/**
 * What the web console's end-to-end tests share between Chromium (console.test.ts, Playwright)
 * and Firefox ESR (console-firefox.test.ts, Puppeteer): the console build, the keys a person
 * saves with what the console must answer to each, and the checks that read the page or the
 * backend the same way whichever driver runs the browser. The clicking stays in each file: the
 * two drivers' APIs differ.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import type { StripeTestServer } from '../stripe-server/index.js';
import { REPO_ROOT, type Backend } from './backend.js';

/** The e2e global setup builds the extension and the server; the console's tests build the console (a few seconds). */
export function buildConsole(): void {
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:console'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:console failed:\n${build.stdout}\n${build.stderr}`);
}

export type RefusedKey = {
  /** Makes the key on the Stripe test server. */
  create(stripe: StripeTestServer): string;
  /** The error's message, and the integration guide's hint shown under it. */
  message: string;
  hint: string;
  /** Whether the backend asks Stripe before refusing it. */
  asksStripe: boolean;
};

/** Keys the console refuses, in the order the tests save them. */
export const REFUSED_KEYS: readonly RefusedKey[] = [
  {
    // Refused by its prefix, without reaching Stripe.
    create: (stripe) => stripe.createKey({ type: 'publishable', mode: 'test' }),
    message: 'publishable key',
    hint: 'Use a restricted key',
    asksStripe: false,
  },
  {
    // A key Stripe no longer knows.
    create(stripe) {
      const key = stripe.createKey({ type: 'secret', mode: 'test' });
      stripe.deleteKey(key);
      return key;
    },
    message: 'Stripe does not recognise this key',
    hint: "hasn't been deleted or rotated",
    asksStripe: true,
  },
];

/** A page as far as reading it goes, where Playwright's and Puppeteer's agree. */
export type ReadablePage = { content(): Promise<string>; url(): string; evaluate(expression: string): Promise<unknown> };

/** The page's HTML, URL and web storage hold none of `keys`. */
export async function expectNoFullKey(page: ReadablePage, keys: readonly string[]): Promise<void> {
  const html = await page.content();
  const storage = String(await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
  for (const key of keys) {
    expect(html).not.toContain(key);
    expect(page.url()).not.toContain(key);
    expect(storage).not.toContain(key);
  }
}

/** The console session's cookie on plain-http loopback (server/auth/session-cookie.ts); the other half is the secret in localStorage. */
export const SESSION_COOKIE = 'serval_session';
/** Where the console keeps the session's secret (console/src/session-secret.ts). */
export const SECRET_STORAGE_EXPRESSION = "localStorage.getItem('serval.session')";

/** The two halves of the console's session, as a request outside the browser would send them. */
export type SessionHalves = { cookie: string; secret: string | null };

/** What `GET /api/me` answers to the session's halves: 200 while it lasts, 401 once it has ended (or with a half missing). */
export async function sessionStatus(backend: Backend, { cookie, secret }: SessionHalves): Promise<number> {
  const headers: Record<string, string> = { cookie: `${SESSION_COOKIE}=${cookie}` };
  if (secret) headers['x-serval-session'] = secret;
  const res = await fetch(`${backend.url}/api/me`, { headers });
  await res.body?.cancel();
  return res.status;
}
