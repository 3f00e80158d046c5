/**
 * A Stripe-compatible test server: behaves like api.stripe.com on the wire for the endpoints
 * Serval uses, so the real `stripe` SDK and our backend can be tested against it.
 *
 *   const stripeServer = await startStripeServer();
 *   const key = stripeServer.createKey({ type: 'restricted', permissions: ['charges_read'] });
 *   const stripe = new Stripe(key, { ...stripeServer.sdkConfig, maxNetworkRetries: 0 });
 *
 * Standalone: `node --import tsx test/stripe-server/cli.ts`.
 */
export { startStripeServer } from './server.js';
export type { RecordedRequest, StartOptions, StripeTestServer } from './server-api.js';
export type { KeyOptions, StripePermission } from './keys.js';
export type { FaultKind, FaultSpec } from './faults.js';
export type { PermissionWording } from './access.js';
export type { SeedCounts } from './store.js';
