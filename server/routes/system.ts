import { createRoute, z } from '@hono/zod-openapi';
import { AuditListSchema, HealthSchema, HealthUnavailableSchema, StatusSchema } from '../../shared/api.js';
import type { AuditRecorder } from '../audit.js';
import { allow } from '../auth/authorize.js';
import type { Database, Repositories } from '../db/repositories.js';
import { EXPIRING_SOON_MS } from '../integrations/key-expiry.js';
import type { IntegrationService } from '../integrations/stripe-integration.js';
import { authenticated, createRouter, errors, json } from './openapi-helpers.js';

export function systemRoutes({
  repos,
  database,
  audit,
  integrations,
  version,
}: {
  repos: Repositories;
  database: Pick<Database, 'ping'>;
  audit: AuditRecorder;
  integrations: IntegrationService;
  version: string;
}) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['System'],
      summary: 'Is the backend up, and can it reach its database',
      description: 'A load balancer may route by it: 503 while the database is unreachable.',
      responses: { 200: json(HealthSchema, 'Up'), 503: json(HealthUnavailableSchema, 'The database is unreachable') },
    }),
    async (c) => {
      try {
        await database.ping();
      } catch {
        return c.json({ status: 'unavailable' as const, version }, 503);
      }
      return c.json({ status: 'ok' as const, version }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/status',
      tags: ['System'],
      summary: 'Who is asking (the person and their role; the device, when a device asks) and a summary of the integrations (what the extension polls)',
      security: authenticated,
      middleware: allow('read'),
      responses: { 200: json(StatusSchema, 'Status'), ...errors('unauthorized') },
    }),
    async (c) => {
      const { device, person } = c.get('principal');
      const { maxAgeMs, now } = integrations.keyAge;
      const at = now().getTime();
      const summary = await repos.summary(maxAgeMs > 0 ? new Date(at - maxAgeMs).toISOString() : null, new Date(at + EXPIRING_SOON_MS).toISOString());
      const { applications, integrations: total, connected, rotationDue, expiringSoon } = summary;
      return c.json(
        {
          device: device ? { id: device.id, name: device.name } : null,
          person: { id: person.id, name: person.name, role: person.role },
          applications,
          integrations: { connected, needsAttention: total - connected, rotationDue, expiringSoon },
          version,
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      tags: ['System'],
      summary: 'Recent audit events, newest first, each naming the person who acted (admins)',
      security: authenticated,
      middleware: allow('administer'),
      request: {
        query: z.object({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(500)
            .default(50)
            .openapi({ param: { name: 'limit', in: 'query' } }),
        }),
      },
      responses: { 200: json(AuditListSchema, 'Events'), ...errors('unauthorized', 'forbidden', 'validation_failed') },
    }),
    async (c) => c.json({ events: await audit.list(c.req.valid('query').limit) }, 200),
  );

  return router;
}
