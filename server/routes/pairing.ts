import { createRoute, z } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { DeviceSchema, PairRequestSchema, PairResponseSchema } from '../../shared/api.js';
import type { Repositories } from '../db/repositories.js';
import type { PairingService } from '../pairing/service.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

export function pairingRoutes({ pairing, repos }: { pairing: PairingService; repos: Repositories }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/pair',
      tags: ['Devices'],
      summary: 'Pair a device with a one-time pairing code',
      request: jsonBody(PairRequestSchema),
      responses: {
        201: json(PairResponseSchema, 'The device token. Shown once; the server keeps only its SHA-256.'),
        ...errors('validation_failed', 'pairing_code_invalid', 'pairing_rate_limited'),
      },
    }),
    async (c) => c.json(await pairing.pair(c.req.valid('json'), clientAddress(c)), 201),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/devices',
      tags: ['Devices'],
      summary: 'List paired devices',
      security: authenticated,
      responses: { 200: json(z.object({ devices: z.array(DeviceSchema) }), 'Paired devices'), ...errors('unauthorized') },
    }),
    async (c) =>
      c.json({ devices: (await repos.devices.listActive()).map((d) => ({ id: d.id, name: d.name, createdAt: d.createdAt, lastSeenAt: d.lastSeenAt })) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/devices/{id}',
      tags: ['Devices'],
      summary: 'Revoke a paired device; its token stops working at once',
      security: authenticated,
      request: { params: IdParam },
      responses: { 204: { description: 'Revoked' }, ...errors('unauthorized', 'device_not_found') },
    }),
    async (c) => {
      await pairing.revoke(c.req.valid('param').id, c.get('device').id);
      return c.body(null, 204);
    },
  );

  return router;
}

export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by @hono/node-server (e.g. app.request in tests)
  }
}
