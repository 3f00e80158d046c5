/**
 * The payment and billing workflows, through the application's stored key. Stripe's own object
 * shapes are passed back unchanged. Stripe refusing the key (401) or a permission (403) is news
 * about the integration, so it marks the integration invalid or missing_permissions as well.
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type Stripe from 'stripe';
import type { PermissionId } from '../../shared/permissions.js';
import {
  BalanceTransactionsQuerySchema,
  ChargesQuerySchema,
  CustomerFieldsSchema,
  CustomerIdSchema,
  CustomersQuerySchema,
  IdempotencyKeySchema,
  NoQuerySchema,
} from '../../shared/workflows.js';
import { allow } from '../auth/authorize.js';
import { actorOf, type Actor } from '../auth/principal.js';
import type { IntegrationService } from '../integrations/stripe-integration.js';
import type { Logger } from '../logger.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from '../routes/openapi-helpers.js';
import { describeStripeFailure } from '../stripe/failures.js';
import type { StripeClientCache } from './client-cache.js';
import { workflowFailure } from './errors.js';

const StripeObject = z
  .looseObject({ id: z.string().optional(), object: z.string() })
  .openapi({ description: "A Stripe object, exactly as Stripe's API returns it." });
const StripeList = z.looseObject({ object: z.literal('list'), data: z.array(StripeObject), has_more: z.boolean(), url: z.string() });
const CustomerParams = IdParam.extend({ customerId: CustomerIdSchema.openapi({ param: { name: 'customerId', in: 'path' }, example: 'cus_NffrFeUfNV2Hib' }) });
const IdempotencyHeader = z.object({
  'idempotency-key': IdempotencyKeySchema.optional().openapi({
    param: { name: 'idempotency-key', in: 'header' },
    description: 'Passed on to Stripe: a retried write with the same key is applied once.',
  }),
});

const failures = errors(
  'unauthorized',
  'forbidden',
  'validation_failed',
  'stripe_invalid_request',
  'application_not_found',
  'integration_not_found',
  'stripe_resource_missing',
  'stripe_permission_denied',
  'stripe_key_invalid',
  'key_access_restricted',
  'stripe_account_inaccessible',
  'stripe_rate_limited',
  'stripe_unavailable',
);

type Deps = { integrations: IntegrationService; stripeClients: StripeClientCache; logger: Logger };

export function workflowRoutes({ integrations, stripeClients, logger }: Deps) {
  const router = createRouter();

  /**
   * Runs one Stripe call with the application's key; a refusal updates the integration (for the
   * very key that was refused) and becomes our error.
   */
  async function withStripe<T>(applicationId: string, actor: Actor, needed: PermissionId, call: (stripe: Stripe) => Promise<T>): Promise<T> {
    let current: { fingerprint: string; stripeContext: string | null };
    try {
      current = await integrations.current(applicationId); // 404s when there is nothing to use
    } catch (error) {
      // The application or its key is gone (an application deleted outright never says so): forget its client.
      stripeClients.drop(applicationId);
      throw error;
    }
    // An organization key's calls all send Stripe-Context: the application's account (client.ts).
    const stripe = await stripeClients.get(applicationId, current, async () => (await integrations.openKey(applicationId)).apiKey);
    try {
      return await call(stripe);
    } catch (error) {
      const failure = describeStripeFailure(error);
      const { error: apiError, change } = workflowFailure(failure, needed);
      if (change) await integrations.recordStripeRefusal(applicationId, current.fingerprint, change, actor);
      logger.warn({ applicationId, kind: failure.kind, code: apiError.code }, 'stripe workflow request refused');
      throw apiError;
    }
  }

  const route = <P extends string>(method: 'get' | 'post' | 'patch', path: P, summary: string, permission: PermissionId) => ({
    method,
    path,
    tags: ['Stripe workflows'],
    summary,
    description: `Needs the ${permission} permission of the stored key, and a member or an admin.`,
    // Typed here: spread into createRoute, the literal would lose its contextual type.
    security: authenticated as RouteConfig['security'],
    middleware: allow('write_test'),
  });

  router.openapi(
    createRoute({
      ...route('get', '/applications/{id}/stripe/balance', 'The Stripe balance', 'balance_read'),
      request: { params: IdParam, query: NoQuerySchema },
      responses: { 200: json(StripeObject, 'Stripe Balance object'), ...failures },
    }),
    async (c) => c.json(plain(await withStripe(c.req.valid('param').id, actorOf(c.get('principal')), 'balance_read', (s) => s.balance.retrieve())), 200),
  );

  router.openapi(
    createRoute({
      ...route('get', '/applications/{id}/stripe/charges', 'List charges, newest first', 'charges_read'),
      request: { params: IdParam, query: ChargesQuerySchema },
      responses: { 200: json(StripeList, 'Stripe list of Charge objects'), ...failures },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(plain(await withStripe(c.req.valid('param').id, actorOf(c.get('principal')), 'charges_read', (s) => s.charges.list(query))), 200);
    },
  );

  router.openapi(
    createRoute({
      ...route('get', '/applications/{id}/stripe/customers', 'List customers, newest first', 'customers_read'),
      request: { params: IdParam, query: CustomersQuerySchema },
      responses: { 200: json(StripeList, 'Stripe list of Customer objects'), ...failures },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(plain(await withStripe(c.req.valid('param').id, actorOf(c.get('principal')), 'customers_read', (s) => s.customers.list(query))), 200);
    },
  );

  router.openapi(
    createRoute({
      ...route('post', '/applications/{id}/stripe/customers', 'Create a customer', 'customers_write'),
      request: { params: IdParam, query: NoQuerySchema, headers: IdempotencyHeader, ...jsonBody(CustomerFieldsSchema) },
      responses: { 201: json(StripeObject, 'The new Stripe Customer'), ...failures },
    }),
    async (c) => {
      const fields = c.req.valid('json');
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const customer = await withStripe(c.req.valid('param').id, actorOf(c.get('principal')), 'customers_write', (s) =>
        s.customers.create(fields, idempotencyKey ? { idempotencyKey } : undefined),
      );
      return c.json(plain(customer), 201);
    },
  );

  router.openapi(
    createRoute({
      ...route('get', '/applications/{id}/stripe/customers/{customerId}', 'One customer', 'customers_read'),
      request: { params: CustomerParams, query: NoQuerySchema },
      responses: { 200: json(StripeObject, 'Stripe Customer (or a deleted customer stub)'), ...failures },
    }),
    async (c) => {
      const { id, customerId } = c.req.valid('param');
      return c.json(plain(await withStripe(id, actorOf(c.get('principal')), 'customers_read', (s) => s.customers.retrieve(customerId))), 200);
    },
  );

  router.openapi(
    createRoute({
      ...route('patch', '/applications/{id}/stripe/customers/{customerId}', 'Update a customer', 'customers_write'),
      request: { params: CustomerParams, query: NoQuerySchema, headers: IdempotencyHeader, ...jsonBody(CustomerFieldsSchema) },
      responses: { 200: json(StripeObject, 'The updated Stripe Customer'), ...failures },
    }),
    async (c) => {
      const { id, customerId } = c.req.valid('param');
      const fields = c.req.valid('json');
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const customer = await withStripe(id, actorOf(c.get('principal')), 'customers_write', (s) =>
        s.customers.update(customerId, fields, idempotencyKey ? { idempotencyKey } : undefined),
      );
      return c.json(plain(customer), 200);
    },
  );

  router.openapi(
    createRoute({
      ...route('get', '/applications/{id}/stripe/balance_transactions', 'List balance transactions, newest first', 'balance_transactions_read'),
      request: { params: IdParam, query: BalanceTransactionsQuerySchema },
      responses: { 200: json(StripeList, 'Stripe list of BalanceTransaction objects'), ...failures },
    }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(
        plain(await withStripe(c.req.valid('param').id, actorOf(c.get('principal')), 'balance_transactions_read', (s) => s.balanceTransactions.list(query))),
        200,
      );
    },
  );

  return router;
}

/** Stripe's objects as the JSON they came as (the SDK's extras are non-enumerable). */
function plain(value: object): z.infer<typeof StripeList> & z.infer<typeof StripeObject> {
  return value as never;
}
