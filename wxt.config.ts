import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * The Serval extension. Sources live in extension/ (WXT's srcDir), and what it shares with the
 * console in ui/ (imported by relative path, which Vite follows); `npm run build` writes
 * .output/chrome-mv3, `npm run build:firefox` .output/firefox-mv3.
 */
export default defineConfig({
  srcDir: 'extension',
  publicDir: 'extension/public',
  // Explicit imports everywhere: a reader can follow every name to its module.
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser }) => ({
    name: 'Serval for Stripe',
    description: 'Send a newly created Stripe API key from the Stripe Dashboard straight to Serval: checked, sealed, never copied.',
    permissions: ['storage', 'alarms', 'scripting'],
    // The dashboard (where keys are revealed) and a backend on this machine. Any other backend
    // is asked for at pairing time, from the Connect click.
    host_permissions: ['https://dashboard.stripe.com/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: 'Serval for Stripe' },
    // The card is an extension page the card host puts in a frame on the dashboard, and only there.
    web_accessible_resources: [{ resources: ['card.html'], matches: ['https://dashboard.stripe.com/*'] }],
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'serval-for-stripe@serval.dev', data_collection_permissions: { required: ['none'] } } } }
      : {}),
  }),
});
