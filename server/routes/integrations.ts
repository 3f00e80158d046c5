import { createRoute, z } from '@hono/zod-openapi';
import { IntegrationSchema, IntegrationWithValidationSchema, RotateResponseSchema, ValidationSchema } from '../../shared/api.js';
import { PutStripeIntegrationSchema, RotateKeySchema, ValidateKeySchema } from '../../shared/key-requests.js';
import { allow } from '../auth/authorize.js';
import { actorOf } from '../auth/principal.js';
import { modeGate, requireKeyPermission } from '../integrations/key-permission.js';
import type { IntegrationService } from '../integrations/stripe-integration.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

const keyRefusals = [
  'malformed_key',
  'publishable_key',
  'invalid_api_key',
  'expired_api_key',
  'key_access_restricted',
  'stripe_account_required',
  'stripe_account_inaccessible',
  'stripe_unavailable',
  'stripe_rate_limited',
] as const;

/** What storing a key can answer, by PUT or by rotation. */
const storeKeyErrors = errors(
  'unauthorized',
  'forbidden',
  'validation_failed',
  'key_expiry_out_of_range',
  'application_not_found',
  'payload_too_large',
  'mode_mismatch',
  ...keyRefusals,
);

/** What every route that takes a key says about organization keys, sandboxes and the Rotate dialog's Expiration. */
const STRIPE_2026 =
  " An organization key (`sk_org_…`) acts on the account its application declares (`stripeAccount`, sent to Stripe as `Stripe-Context` on every call): without one it is 422 `stripe_account_required` before any call to Stripe, and an account outside the key's organization is 422 `stripe_account_inaccessible`; its mode is what Stripe answers (so `mode_mismatch`, and the admin a live key needs, are decided after the check, before anything is stored). " +
  "The integration carries the account's display name (`accountName`: which sandbox), and `account_changed` names both accounts by name. " +
  "`previousKeyExpiresAt` (an ISO time from now to 7 days ahead, else 400 `key_expiry_out_of_range`): the Expiration chosen in Stripe's Rotate dialog for the key this one replaces. The other applications still holding that key get `keyExpiresAt`, and the warning `previous_key_expiring` lists them (`details: {expiresAt, expired, applications}`).";

export function integrationRoutes({ integrations }: { integrations: IntegrationService }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'put',
      path: '/applications/{id}/integrations/stripe',
      tags: ['Stripe integration'],
      summary: 'Check a Stripe key with Stripe, then seal and store it (or replace the stored one)',
      description:
        "A key Stripe refuses (422) or a Stripe outage (502/503) changes nothing; a key limited to other IP addresses is 422 `key_access_restricted`, not `invalid_api_key`. A key whose mode differs from the application's declared environment is refused (422 `mode_mismatch`) before any call to Stripe, and again if the environment changed while Stripe was answering. " +
        'A restricted key lacking some of the five permissions is stored with status `missing_permissions`. Warnings: `account_changed` and `mode_changed` when a replacement differs from the key it replaced; ' +
        '`account_used_elsewhere` (with `details.applications`) when other applications still hold an older key of the same account and mode. ' +
        'A test key needs a member or an admin; a live key, an admin (403 `forbidden`, decided from the key itself before any call to Stripe).' +
        STRIPE_2026,
      security: authenticated,
      request: { params: IdParam, ...jsonBody(PutStripeIntegrationSchema) },
      responses: {
        200: json(IntegrationWithValidationSchema, 'Stored'),
        ...storeKeyErrors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const principal = c.get('principal');
      requireKeyPermission(principal, input.apiKey);
      return c.json(await integrations.connect(c.req.valid('param').id, input, actorOf(principal), modeGate(principal)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/applications/{id}/integrations/stripe',
      tags: ['Stripe integration'],
      summary: "The application's Stripe integration (masked key only)",
      security: authenticated,
      middleware: allow('read'),
      request: { params: IdParam },
      responses: {
        200: json(z.object({ integration: IntegrationSchema }), 'The integration'),
        ...errors('unauthorized', 'application_not_found', 'integration_not_found'),
      },
    }),
    async (c) => c.json({ integration: await integrations.get(c.req.valid('param').id) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/applications/{id}/integrations/stripe/validate',
      tags: ['Stripe integration'],
      summary: 'Re-check the stored key with Stripe now (members and admins)',
      security: authenticated,
      middleware: allow('write_test'),
      request: { params: IdParam },
      responses: {
        200: json(IntegrationWithValidationSchema, 'Checked; `validation.valid` is false if Stripe no longer accepts the key'),
        ...errors(
          'unauthorized',
          'forbidden',
          'application_not_found',
          'integration_not_found',
          'key_access_restricted',
          'stripe_unavailable',
          'stripe_rate_limited',
        ),
      },
    }),
    async (c) => c.json(await integrations.recheck(c.req.valid('param').id, actorOf(c.get('principal'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/applications/{id}/integrations/stripe',
      tags: ['Stripe integration'],
      summary: 'Disconnect Stripe and destroy the sealed key (admins)',
      security: authenticated,
      middleware: allow('destroy'),
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errors('unauthorized', 'forbidden', 'application_not_found', 'integration_not_found') },
    }),
    async (c) => {
      await integrations.remove(c.req.valid('param').id, actorOf(c.get('principal')));
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/stripe/rotate',
      tags: ['Stripe integration'],
      summary: 'Replace the key of several applications with one new key (after a rotation in the Stripe Dashboard)',
      description:
        'The key is checked with Stripe once, then stored for every listed application in one transaction: all or nothing. ' +
        "An unknown application (404), a key whose mode differs from an application's environment (422 `mode_mismatch`, also when the environment changed while Stripe was answering) or a key Stripe refuses (422) changes nothing anywhere. " +
        'Each replacement is audited (`detail.via: "rotation"`, with the account id). `replacements` gives, per application, the warnings a PUT would give: `account_changed` and `mode_changed` when the new key differs from the key it replaced. ' +
        'A test key needs a member or an admin; a live key, an admin (403 `forbidden`, before any call to Stripe).' +
        STRIPE_2026,
      security: authenticated,
      request: jsonBody(RotateKeySchema),
      responses: {
        200: json(RotateResponseSchema, 'Stored for every listed application'),
        ...storeKeyErrors,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const principal = c.get('principal');
      requireKeyPermission(principal, input.apiKey);
      return c.json(await integrations.rotate(input, actorOf(principal), modeGate(principal)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/stripe/validate',
      tags: ['Stripe integration'],
      summary: 'Check a key with Stripe without storing it (members and admins; a live key too)',
      description: 'An organization key (`sk_org_…`) is checked against `stripeAccount` (sent as `Stripe-Context`): 422 `stripe_account_required` without one.',
      security: authenticated,
      middleware: allow('write_test'),
      request: jsonBody(ValidateKeySchema),
      responses: {
        200: json(z.object({ validation: ValidationSchema }), 'What the key is and may do'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'payload_too_large', ...keyRefusals),
      },
    }),
    async (c) => {
      const { apiKey, stripeAccount = null } = c.req.valid('json');
      return c.json({ validation: (await integrations.checkKey(apiKey, stripeAccount)).validation }, 200);
    },
  );

  return router;
}
