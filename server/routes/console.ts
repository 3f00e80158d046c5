/**
 * The web console (the manual flow in a browser, without the extension), served from the files Vite built into dist/console — no CDN —
 * with a Content-Security-Policy that allows no inline script. Its own paths all answer with its
 * one page; the page routes itself. Not built yet: a page that says how.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { fromRoot } from '../paths.js';

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const PAGE_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Serval for Stripe</title></head>
<body><main><h1>Serval for Stripe</h1><p>The web console is not built yet: run <code>npm run build</code>.</p>
<p>The API is here: <a href="/docs">API docs</a>.</p></main></body></html>`;

/** The console's client-side routes: each answers with the console page. */
const PAGES = /^\/(applications(\/[A-Za-z0-9_-]+(\/[a-z-]+)?)?|devices|people|audit|sign-in|invite)?\/?$/;

export function consoleRoutes(dir = fromRoot('dist/console')) {
  const router = new Hono();
  const cache = new Map<string, Buffer>();
  /** A built file, read once; a missing one is looked for again next time (the console may be built meanwhile). */
  const read = (file: string): Buffer | null => {
    const cached = cache.get(file);
    if (cached) return cached;
    try {
      const bytes = fs.readFileSync(file);
      cache.set(file, bytes);
      return bytes;
    } catch {
      return null;
    }
  };

  router.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = TYPES[path.extname(file)];
    if (!type || !/^[A-Za-z0-9._-]+$/.test(file)) return c.notFound();
    const bytes = read(path.join(dir, 'assets', file));
    if (!bytes) return c.notFound();
    // Vite names assets by content hash: they never change under a name.
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  router.get('*', (c, next) => {
    if (!PAGES.test(c.req.path)) return next();
    const page = read(path.join(dir, 'index.html'));
    return c.html(page ? page.toString('utf8') : NOT_BUILT, 200, PAGE_HEADERS);
  });

  return router;
}
