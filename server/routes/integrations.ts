import { createRoute, z } from '@hono/zod-openapi';
import {
  IntegrationSchema,
  IntegrationWithValidationSchema,
  PutStripeIntegrationSchema,
  RotateKeySchema,
  RotateResponseSchema,
  ValidateKeySchema,
  ValidationSchema,
} from '../../shared/api.js';
import { allow } from '../auth/authorize.js';
import { actorOf } from '../auth/principal.js';
import { requireKeyPermission } from '../integrations/key-permission.js';
import type { IntegrationService } from '../integrations/stripe-integration.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

const keyRefusals = [
  'malformed_key',
  'publishable_key',
  'invalid_api_key',
  'expired_api_key',
  'key_access_restricted',
  'stripe_unavailable',
  'stripe_rate_limited',
] as const;

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
        'A test key needs a member or an admin; a live key, an admin (403 `forbidden`, decided from the key itself before any call to Stripe).',
      security: authenticated,
      request: { params: IdParam, ...jsonBody(PutStripeIntegrationSchema) },
      responses: {
        200: json(IntegrationWithValidationSchema, 'Stored'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'application_not_found', 'payload_too_large', 'mode_mismatch', ...keyRefusals),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const principal = c.get('principal');
      requireKeyPermission(principal, input.apiKey);
      return c.json(await integrations.connect(c.req.valid('param').id, input, actorOf(principal)), 200);
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
        'A test key needs a member or an admin; a live key, an admin (403 `forbidden`, before any call to Stripe).',
      security: authenticated,
      request: jsonBody(RotateKeySchema),
      responses: {
        200: json(RotateResponseSchema, 'Stored for every listed application'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'application_not_found', 'payload_too_large', 'mode_mismatch', ...keyRefusals),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const principal = c.get('principal');
      requireKeyPermission(principal, input.apiKey);
      return c.json(await integrations.rotate(input, actorOf(principal)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/stripe/validate',
      tags: ['Stripe integration'],
      summary: 'Check a key with Stripe without storing it (members and admins; a live key too)',
      security: authenticated,
      middleware: allow('write_test'),
      request: jsonBody(ValidateKeySchema),
      responses: {
        200: json(z.object({ validation: ValidationSchema }), 'What the key is and may do'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'payload_too_large', ...keyRefusals),
      },
    }),
    async (c) => c.json({ validation: (await integrations.checkKey(c.req.valid('json').apiKey)).validation }, 200),
  );

  return router;
}
