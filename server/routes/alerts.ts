/**
 * Alert endpoints (admins): where alerts go, each endpoint's signing secret (answered once, at
 * creation) and its recent deliveries.
 */
import { createRoute } from '@hono/zod-openapi';
import { AlertDeliveryListSchema, AlertEndpointCreatedSchema, AlertEndpointListSchema, CreateAlertEndpointSchema } from '../../shared/alerts.js';
import type { AlertService } from '../alerts/service.js';
import { allow } from '../auth/authorize.js';
import { actorOf } from '../auth/principal.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

export function alertRoutes({ alerts }: { alerts: AlertService }) {
  const router = createRouter();
  const tags = ['Alerts'];

  router.openapi(
    createRoute({
      method: 'get',
      path: '/alert-endpoints',
      tags,
      summary: 'List alert endpoints, oldest first (never their signing secrets)',
      security: authenticated,
      middleware: allow('manage_alerts'),
      responses: { 200: json(AlertEndpointListSchema, 'The alert endpoints'), ...errors('unauthorized', 'forbidden') },
    }),
    async (c) => c.json({ endpoints: await alerts.list() }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/alert-endpoints',
      tags,
      summary: 'Add an alert endpoint: a signed webhook or a Slack incoming webhook',
      description:
        'https:// only (http:// on loopback); a host that is or resolves to a private, link-local or cloud-metadata address is refused unless ' +
        'SERVAL_ALERTS_ALLOW_PRIVATE=1. The answer holds the signing secret, shown this once: every request to the endpoint carries ' +
        '`Serval-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under it.',
      security: authenticated,
      middleware: allow('manage_alerts'),
      request: jsonBody(CreateAlertEndpointSchema),
      responses: {
        201: json(AlertEndpointCreatedSchema, 'Added; `secret` is never shown again'),
        ...errors('validation_failed', 'alert_url_insecure', 'alert_url_refused', 'unauthorized', 'csrf_rejected', 'forbidden'),
      },
    }),
    async (c) => c.json(await alerts.create(c.req.valid('json'), actorOf(c.get('principal'))), 201),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/alert-endpoints/{id}',
      tags,
      summary: 'Remove an alert endpoint, with its deliveries',
      security: authenticated,
      middleware: allow('manage_alerts'),
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errors('unauthorized', 'csrf_rejected', 'forbidden', 'alert_endpoint_not_found') },
    }),
    async (c) => {
      await alerts.remove(c.req.valid('param').id, actorOf(c.get('principal')));
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/alert-endpoints/{id}/deliveries',
      tags,
      summary: "An endpoint's recent deliveries, newest first: the event, its status, attempts and the last answer",
      security: authenticated,
      middleware: allow('manage_alerts'),
      request: { params: IdParam },
      responses: { 200: json(AlertDeliveryListSchema, 'Up to 50 deliveries'), ...errors('unauthorized', 'forbidden', 'alert_endpoint_not_found') },
    }),
    async (c) => c.json({ deliveries: await alerts.deliveries(c.req.valid('param').id) }, 200),
  );

  return router;
}
