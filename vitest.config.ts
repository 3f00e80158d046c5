import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', include: ['test/shared/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'server',
          include: ['test/server/**/*.test.ts'],
          exclude: ['test/server/**/*.pg.test.ts'], // PostgreSQL-only behaviour (an outage)
          globalSetup: ['test/server/global-setup.ts'],
          environment: 'node',
          isolate: false, // see server-pg
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The same server tests on PostgreSQL: a throwaway cluster for the run, a database per backend.
        test: {
          name: 'server-pg',
          include: ['test/server/**/*.test.ts'],
          environment: 'node',
          env: { SERVAL_TEST_DB: 'postgres' },
          globalSetup: ['test/server/global-setup.ts', 'test/postgres/global-setup.ts'],
          // The server's modules are loaded once per worker, not once per file: each file builds
          // its own backend (runtime, database, test Stripe) and keeps no state in modules, and
          // loading them again for each of ~100 files was half of the server tests' time.
          isolate: false,
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // WxtVitest() gives the fake browser and WXT's aliases; it does not load wxt.config.ts's
        // Vite plugins, so Preact's is added here.
        plugins: [WxtVitest(), preact()],
        test: { name: 'extension', include: ['test/extension/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        plugins: [preact()],
        test: { name: 'console', include: ['test/console/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // ui/: what the extension and the console share (components, tokens, labels, the API client).
        plugins: [preact()],
        test: { name: 'ui', include: ['test/ui/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // Real Chromium with the built extension and the real backend as a child process. One file
        // at a time, after the other projects, so browsers never compete for the CPU.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
