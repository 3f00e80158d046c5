import { createRoute, z } from '@hono/zod-openapi';
import { AuditEventSchema, HealthSchema, HealthUnavailableSchema, StatusSchema } from '../../shared/api.js';
import type { AuditRecorder } from '../audit.js';
import type { Database, Repositories } from '../db/repositories.js';
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
      summary: 'This device and a summary of the integrations (what the extension polls)',
      security: authenticated,
      responses: { 200: json(StatusSchema, 'Status'), ...errors('unauthorized') },
    }),
    async (c) => {
      const device = c.get('device');
      const { maxAgeMs, now } = integrations.keyAge;
      const summary = await repos.summary(maxAgeMs > 0 ? new Date(now().getTime() - maxAgeMs).toISOString() : null);
      const { applications, integrations: total, connected, rotationDue } = summary;
      return c.json(
        {
          device: { id: device.id, name: device.name },
          applications,
          integrations: { connected, needsAttention: total - connected, rotationDue },
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
      summary: 'Recent audit events, newest first',
      security: authenticated,
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
      responses: { 200: json(z.object({ events: z.array(AuditEventSchema) }), 'Events'), ...errors('unauthorized', 'validation_failed') },
    }),
    async (c) => c.json({ events: await audit.list(c.req.valid('query').limit) }, 200),
  );

  return router;
}
