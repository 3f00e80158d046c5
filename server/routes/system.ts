import { createRoute, z } from '@hono/zod-openapi';
import { AuditEventSchema, HealthSchema, StatusSchema } from '../../shared/api.js';
import type { AuditRecorder } from '../audit.js';
import type { Repositories } from '../db/repositories.js';
import { authenticated, createRouter, errors, json } from './openapi-helpers.js';

export function systemRoutes({ repos, audit, version }: { repos: Repositories; audit: AuditRecorder; version: string }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['System'],
      summary: 'Is the backend up',
      responses: { 200: json(HealthSchema, 'Up') },
    }),
    (c) => c.json({ status: 'ok' as const, version }, 200),
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
    (c) => {
      const device = c.get('device');
      const byStatus = repos.integrations.countByStatus();
      const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
      const connected = byStatus.connected ?? 0;
      return c.json(
        {
          device: { id: device.id, name: device.name },
          applications: repos.applications.count(),
          integrations: { connected, needsAttention: total - connected },
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
        query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ param: { name: 'limit', in: 'query' } }) }),
      },
      responses: { 200: json(z.object({ events: z.array(AuditEventSchema) }), 'Events'), ...errors('unauthorized', 'validation_failed') },
    }),
    (c) => c.json({ events: audit.list(c.req.valid('query').limit) }, 200),
  );

  return router;
}
