/**
 * The API docs page shares the console's origin, so it is held as tightly (server/routes/docs.ts):
 * a Content-Security-Policy on everything under /docs that nothing may frame and that allows no
 * inline script or style, and a page that needs none. test/e2e/docs.test.ts shows Swagger UI
 * working under it in a real browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** `default-src 'none'; script-src 'self'` → { 'default-src': ["'none'"], 'script-src': ["'self'"] } */
function directives(policy: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (policy ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

describe('/docs', () => {
  it('every answer under /docs carries the policy: nothing frames it, only our own scripts and styles, no inline anything', async () => {
    for (const path of ['/docs', '/docs/init.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/assets/favicon-32x32.png']) {
      const res = await h.get(path, { token: null });
      expect(res.status, path).toBe(200);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp, path).toMatchObject({
        'default-src': ["'none'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
      });
      expect(res.headers.get('content-security-policy'), path).not.toMatch(/unsafe-|\*|https?:/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('the page needs no inline script or style, nor the standalone layout (whose logo is an inline style)', async () => {
    const page = (await h.get('/docs', { token: null })).body as string;
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => s[1].trim())).toEqual(['src="/docs/assets/swagger-ui-bundle.js"', 'src="/docs/init.js"']);
    expect(scripts.every((s) => s[2].trim() === '')).toBe(true);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const init = (await h.get('/docs/init.js', { token: null })).body as string;
    expect(init).toContain("layout: 'BaseLayout'");
    expect(init).not.toContain('Standalone');
    expect((await h.get('/docs/assets/swagger-ui-standalone-preset.js', { token: null })).status).toBe(404);
  });

  it('a file that is not Swagger UI’s is not served, and the answer still carries the policy', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2Fpackage.json', '/docs/assets/index.html']) {
      const res = await h.get(path, { token: null });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe('not_found');
      expect(directives(res.headers.get('content-security-policy'))['frame-ancestors'], path).toEqual(["'none'"]);
    }
  });
});
