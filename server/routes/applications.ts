import { createRoute } from '@hono/zod-openapi';
import { ApplicationListSchema, ApplicationResponseSchema, CreateApplicationSchema, UpdateApplicationSchema, type Application } from '../../shared/api.js';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import { allow, requirePermission } from '../auth/authorize.js';
import { actorOf } from '../auth/principal.js';
import type { ApplicationRow, Repositories } from '../db/repositories.js';
import { newId } from '../ids.js';
import type { IntegrationService } from '../integrations/stripe-integration.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

export function applicationRoutes({
  repos,
  audit,
  integrations,
  now,
}: {
  repos: Repositories;
  audit: AuditRecorder;
  integrations: IntegrationService;
  now: () => Date;
}) {
  const router = createRouter();

  const toApplication = async (row: ApplicationRow): Promise<Application> => {
    const integration = await repos.integrations.get(row.id);
    return { ...row, stripe: integration ? integrations.view(integration) : null };
  };
  const find = async (id: string) => {
    const row = await repos.applications.get(id);
    if (!row) throw new ApiError('application_not_found');
    return row;
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/applications',
      tags: ['Applications'],
      summary: 'List applications with their Stripe integration',
      security: authenticated,
      middleware: allow('read'),
      responses: { 200: json(ApplicationListSchema, 'Applications'), ...errors('unauthorized') },
    }),
    async (c) => {
      const [integrationRows, applicationRows] = await Promise.all([repos.integrations.list(), repos.applications.list()]);
      const views = new Map(integrationRows.map((r) => [r.applicationId, integrations.view(r)]));
      const applications = applicationRows.map((row) => ({ ...row, stripe: views.get(row.id) ?? null }));
      return c.json({ applications }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/applications',
      tags: ['Applications'],
      summary: 'Create an application (members and admins)',
      description:
        '`environment`: the Stripe mode it is meant to use. `stripeAccount` (`acct_…`): the account an organization key (`sk_org_…`) acts on for it, sent to Stripe as `Stripe-Context`; an organization key needs it.',
      security: authenticated,
      middleware: allow('write_test'),
      request: jsonBody(CreateApplicationSchema),
      responses: { 201: json(ApplicationResponseSchema, 'Created'), ...errors('unauthorized', 'forbidden', 'validation_failed') },
    }),
    async (c) => {
      const { name, environment = null, stripeAccount = null } = c.req.valid('json');
      const row: ApplicationRow = { id: newId('app'), name, createdAt: now().toISOString(), environment, stripeAccount };
      await repos.transaction(async (tx) => {
        await tx.applications.create(row);
        await audit.record(tx, {
          action: 'application.created',
          actor: actorOf(c.get('principal')),
          applicationId: row.id,
          detail: { name: row.name, environment, ...(stripeAccount ? { stripeAccount } : {}) },
        });
      });
      return c.json({ application: { ...row, stripe: null } }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/applications/{id}',
      tags: ['Applications'],
      summary: 'One application',
      security: authenticated,
      middleware: allow('read'),
      request: { params: IdParam },
      responses: { 200: json(ApplicationResponseSchema, 'The application'), ...errors('unauthorized', 'application_not_found') },
    }),
    async (c) => c.json({ application: await toApplication(await find(c.req.valid('param').id)) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/applications/{id}',
      tags: ['Applications'],
      summary: 'Rename an application, declare its environment or its Stripe account (partial: what is left out stays)',
      description:
        'With `environment` set, a key of the other mode is refused (422 mode_mismatch) before any call to Stripe. ' +
        '`stripeAccount` (`acct_…`): the account an organization key (`sk_org_…`) acts on, sent to Stripe as `Stripe-Context` on every call made with it; ' +
        'while the application holds an organization key it cannot be cleared (422 `stripe_account_required`). ' +
        'Renaming needs a member or an admin; changing the environment or the Stripe account, an admin (403 `forbidden`, and nothing changes).',
      security: authenticated,
      request: { params: IdParam, ...jsonBody(UpdateApplicationSchema) },
      responses: {
        200: json(ApplicationResponseSchema, 'The application'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'application_not_found', 'stripe_account_required'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const principal = c.get('principal');
      const actor = actorOf(principal);
      const updated = await repos.transaction(async (tx) => {
        const before = await tx.applications.lock(id);
        if (!before) throw new ApiError('application_not_found');
        // Changing the environment or the Stripe account (where an organization key's calls go) needs
        // an admin (`destroy`); renaming, or restating them, a member. A refusal ends the transaction.
        const changes = (field: 'environment' | 'stripeAccount') => patch[field] !== undefined && patch[field] !== before[field];
        requirePermission(principal, changes('environment') || changes('stripeAccount') ? 'destroy' : 'write_test');
        const after = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ApplicationRow;
        if (!after.stripeAccount && before.stripeAccount && (await tx.integrations.lock(id))?.keyType === 'organization') {
          throw new ApiError('stripe_account_required', {
            message: `"${before.name}" holds an organization key, which needs the Stripe account it acts on: the account can be changed, not removed. Nothing changed.`,
          });
        }
        await tx.applications.update(id, { name: after.name, environment: after.environment, stripeAccount: after.stripeAccount });
        if (after.name !== before.name) {
          await audit.record(tx, { action: 'application.renamed', actor, applicationId: id, detail: { from: before.name, to: after.name } });
        }
        if (after.environment !== before.environment) {
          await audit.record(tx, {
            action: 'application.environment_changed',
            actor,
            applicationId: id,
            detail: { from: before.environment, to: after.environment },
          });
        }
        if (after.stripeAccount !== before.stripeAccount) {
          await audit.record(tx, {
            action: 'application.stripe_account_changed',
            actor,
            applicationId: id,
            detail: { from: before.stripeAccount, to: after.stripeAccount },
          });
        }
        return after;
      });
      return c.json({ application: await toApplication(updated) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/applications/{id}',
      tags: ['Applications'],
      summary: 'Delete an application and destroy its sealed Stripe key (admins)',
      security: authenticated,
      middleware: allow('destroy'),
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errors('unauthorized', 'forbidden', 'application_not_found') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await repos.transaction(async (tx) => {
        // Locked: a key being connected to it right now either lands first (and goes with it) or finds it gone.
        const row = await tx.applications.lock(id);
        if (!row) throw new ApiError('application_not_found');
        const integration = await tx.integrations.get(id);
        await tx.applications.delete(id);
        await audit.record(tx, {
          action: 'application.deleted',
          actor: actorOf(c.get('principal')),
          applicationId: id,
          detail: { name: row.name, ...(integration ? { maskedKey: integration.maskedKey } : {}) },
        });
      });
      integrations.applicationDeleted(id);
      return c.body(null, 204);
    },
  );

  return router;
}
