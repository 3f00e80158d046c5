/**
 * Console sessions as the Devices page lists them: one's own (an admin sees everyone's), each
 * revocable — one's own by anyone, another's by an admin. Never a session's credential.
 */
import { createRoute } from '@hono/zod-openapi';
import { SessionListSchema } from '../../shared/api.js';
import { allows } from '../../shared/roles.js';
import { allow } from '../auth/authorize.js';
import { clearSessionCookie } from '../auth/session-cookie.js';
import type { SessionService } from '../auth/sessions.js';
import { authenticated, createRouter, errors, IdParam, json } from './openapi-helpers.js';

export function sessionListRoutes({ sessions }: { sessions: Pick<SessionService, 'listLive' | 'revoke'> }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/sessions',
      tags: ['Devices'],
      summary: "List live console sessions: one's own; an admin sees everyone's",
      security: authenticated,
      middleware: [allow('read')] as const,
      responses: { 200: json(SessionListSchema, 'Live sessions, oldest first; `current` marks the one asking'), ...errors('unauthorized') },
    }),
    async (c) => {
      const principal = c.get('principal');
      const rows = await sessions.listLive(allows(principal.person.role, 'administer') ? null : principal.person.id);
      const list = rows.map((s) => ({
        id: s.id,
        person: { id: s.personId, name: s.personName },
        method: s.method,
        userAgent: s.userAgent,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: s.expiresAt,
        current: s.id === principal.session?.id,
      }));
      return c.json({ sessions: list }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/sessions/{id}',
      tags: ['Devices'],
      summary: "Revoke a console session (one's own; an admin: anyone's): it stops working at once",
      security: authenticated,
      request: { params: IdParam },
      responses: { 204: { description: 'Revoked' }, ...errors('unauthorized', 'csrf_rejected', 'forbidden', 'session_not_found') },
    }),
    async (c) => {
      const principal = c.get('principal');
      const revoked = await sessions.revoke(c.req.valid('param').id, principal);
      // Revoking the session this very request came with signs this browser out.
      if (revoked.id === principal.session?.id) clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  return router;
}
