/**
 * A world of its own for one e2e file: the real backend and the test Stripe it checks keys
 * against, a Chromium with the built extension, the fixture dashboard, and a device token of the
 * file's own for checking through the REST API. send-world.ts is the world the Send files share;
 * a file that needs a backend set up its own way (its environment) or a browser paired from
 * scratch takes this one.
 */
import { afterAll, beforeAll } from 'vitest';
import type { StripeTestServer } from '../stripe-server/index.js';
import { startBackendWithStripe, type ApiResponse, type Backend, type BackendWithStripe } from './backend.js';
import { launchWithExtension, type ExtensionBrowser } from './chromium.js';
import { serveDashboard, type Dashboard } from './dashboard.js';
import { EXTENSION_DIR } from './global-setup.js';

export type CardWorld = {
  stripe: StripeTestServer;
  backend: Backend;
  browser: ExtensionBrowser;
  dashboard: Dashboard;
  /** The file's own device token, for the REST API. */
  token: string;
  /** A REST call with that token. */
  api<T = any>(method: string, apiPath: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Pairs the extension through its options page, as a person does, with the backend's printed code. */
  pairExtension(): Promise<void>;
};

const UI_TIMEOUT = 20_000;

/** Starts the world before the file's tests and stops it after; its fields are there once they run. */
export function useCardWorld(runner: string, env: Record<string, string> = {}): CardWorld {
  let services: BackendWithStripe | undefined;
  const world = {
    api: <T = any>(method: string, apiPath: string, body?: unknown) => world.backend.api<T>(method, apiPath, { token: world.token, body }),
    async pairExtension() {
      const options = await world.browser.openExtensionPage('options.html');
      await options.getByLabel('Backend URL').fill(world.backend.url);
      await options.getByLabel('Pairing code').fill(world.backend.printedPairingCode);
      await options.getByRole('button', { name: 'Connect' }).click();
      await options.getByText('Reachable', { exact: false }).first().waitFor({ timeout: UI_TIMEOUT });
      await options.close();
    },
  } as CardWorld;

  beforeAll(async () => {
    services = await startBackendWithStripe(env);
    world.stripe = services.stripe;
    world.backend = services.backend;
    ({ token: world.token } = await world.backend.pairDevice(runner));
    world.browser = await launchWithExtension(EXTENSION_DIR);
    world.dashboard = await serveDashboard(world.browser.context);
  }, 180_000);

  afterAll(async () => {
    await world.browser?.close();
    await services?.stop();
  }, 60_000);

  return world;
}
