/**
 * The web console's sign-in: a pairing code pairs the browser as a device, whose token travels
 * only as an HttpOnly, SameSite=Strict cookie (Secure over https) — never readable by the page.
 * Signing out revokes that device.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { consoleDeviceName } from '../console/user-agent.js';
import type { PairingService } from '../pairing/service.js';
import { authenticated, createRouter, errors, json, jsonBody, type AppEnv } from './openapi-helpers.js';
import { clientAddress } from './pairing.js';

/** The console's session cookie: the device token of the browser it paired, never readable by scripts. */
export const SESSION_COOKIE = 'serval_session';

const SESSION_DAYS = 30;
const SessionDevice = z.object({ device: z.object({ id: z.string(), name: z.string() }) });

export function sessionRoutes({ pairing }: { pairing: PairingService }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/session',
      tags: ['Console'],
      summary: 'Sign the console in with a pairing code (sets the session cookie)',
      request: jsonBody(z.object({ code: z.string().min(1).max(32) })),
      responses: {
        201: json(SessionDevice, 'Signed in: the browser is paired as a device'),
        ...errors('validation_failed', 'pairing_code_invalid', 'pairing_rate_limited'),
      },
    }),
    async (c) => {
      const { token, device } = await pairing.pair(
        { code: c.req.valid('json').code, deviceName: consoleDeviceName(c.req.header('user-agent')) },
        clientAddress(c),
      );
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: isHttps(c),
        maxAge: SESSION_DAYS * 86_400,
      });
      return c.json({ device }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/session',
      tags: ['Console'],
      summary: 'The device this session (cookie or token) signs in as',
      security: authenticated,
      responses: { 200: json(SessionDevice, 'Signed in'), ...errors('unauthorized') },
    }),
    (c) => c.json({ device: { id: c.get('device').id, name: c.get('device').name } }, 200),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/session',
      tags: ['Console'],
      summary: "Sign out: revoke this session's device and clear the cookie",
      security: authenticated,
      responses: { 204: { description: 'Signed out' }, ...errors('unauthorized', 'csrf_rejected') },
    }),
    async (c) => {
      const device = c.get('device');
      await pairing.revoke(device.id, device.id);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
      return c.body(null, 204);
    },
  );

  return router;
}

/** Served over https: directly, or behind a proxy that ends TLS (X-Forwarded-Proto only ever adds Secure). */
function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}
