import { createRoute } from '@hono/zod-openapi';
import { DeviceListSchema, PairRequestSchema, PairResponseSchema } from '../../shared/api.js';
import { allows } from '../../shared/roles.js';
import { allow } from '../auth/authorize.js';
import { clientAddress } from '../auth/client-address.js';
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
      description: "The device acts for the code's person (npm run pair: the earliest enabled admin; POST /api/pairing-codes: the person it names).",
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
      summary: "List paired devices: one's own; an admin sees everyone's",
      security: authenticated,
      middleware: allow('read'),
      responses: { 200: json(DeviceListSchema, 'Paired devices, oldest first'), ...errors('unauthorized') },
    }),
    async (c) => {
      const { person } = c.get('principal');
      const rows = await repos.devices.listActive(allows(person.role, 'administer') ? null : person.id);
      const devices = rows.map((d) => ({
        id: d.id,
        name: d.name,
        person: { id: d.personId, name: d.personName },
        createdAt: d.createdAt,
        lastSeenAt: d.lastSeenAt,
      }));
      return c.json({ devices }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/devices/{id}',
      tags: ['Devices'],
      summary: "Revoke a paired device (one's own; an admin, anyone's): its token stops working at once",
      security: authenticated,
      middleware: allow('read'),
      request: { params: IdParam },
      responses: { 204: { description: 'Revoked' }, ...errors('unauthorized', 'forbidden', 'device_not_found') },
    }),
    async (c) => {
      await pairing.revoke(c.req.valid('param').id, c.get('principal'));
      return c.body(null, 204);
    },
  );

  return router;
}
