/**
 * The API docs page: Swagger UI served from our own node_modules (no CDN: tests have no internet).
 *
 * It shares the console's origin, so it is held as tightly: a Content-Security-Policy that allows
 * only our own scripts (the start-up script is a file, /docs/init.js, not inline), our own styles
 * (no inline <style>), nothing framing it, no plugins, no <base>, no form submissions. Swagger UI's
 * base layout is used, not the standalone one: the standalone top bar's logo brings an inline
 * <style> (which the policy refuses) and its "Explore" box loads any other document into this origin.
 */
import { Hono } from 'hono';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Serval for Stripe — API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', persistAuthorization: false, queryConfigEnabled: false });`;

/** Only what Swagger UI needs: its script and style files, its CSS's data: images, fetches to our API. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HEADERS = { 'Content-Security-Policy': DOCS_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

export function docsRoutes() {
  const dir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  const router = new Hono();
  // Every answer under /docs, the page and its files alike (a file opened on its own is a document too).
  router.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(HEADERS)) c.res.headers.set(name, value);
  });

  router.get('/', (c) => c.html(PAGE, 200, { 'Cache-Control': 'no-cache' }));
  router.get('/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  router.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = fs.readFileSync(path.join(dir, file));
      cache.set(file, bytes);
    }
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return router;
}
