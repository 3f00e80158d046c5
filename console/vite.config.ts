/**
 * The web console's build: static files in dist/console that the backend serves
 * (server/routes/console.ts): index.html at the console's routes, everything else flat under
 * /assets/. No inline script or style (the backend's CSP allows neither).
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline assets as data: URLs into the script; the CSP allows data: for images only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
