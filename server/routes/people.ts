/**
 * Who is asking (GET /api/me), the people of this backend and their roles (admins), invites, and
 * pairing codes for a person (one's own; an admin, anyone's).
 */
import { createRoute } from '@hono/zod-openapi';
import {
  CreatePersonSchema,
  InviteResponseSchema,
  MeSchema,
  PairingCodeRequestSchema,
  PairingCodeResponseSchema,
  PeopleListSchema,
  PersonResponseSchema,
  UpdatePersonSchema,
} from '../../shared/api.js';
import { allow, requirePermission } from '../auth/authorize.js';
import { actorOf } from '../auth/principal.js';
import type { PairingService } from '../pairing/service.js';
import { toPerson, type PeopleService } from '../people/service.js';
import { authenticated, createRouter, errors, IdParam, json, jsonBody } from './openapi-helpers.js';

export function peopleRoutes({ people, pairing }: { people: PeopleService; pairing: PairingService }) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['People'],
      summary: 'Who is asking: the person, and whether by a device token or a console session',
      security: authenticated,
      middleware: allow('read'),
      responses: { 200: json(MeSchema, 'The person asking'), ...errors('unauthorized') },
    }),
    (c) => {
      const { person, via } = c.get('principal');
      return c.json({ person: toPerson(person), via }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/people',
      tags: ['People'],
      summary: 'Everyone on this backend, disabled people included, oldest first (admins)',
      security: authenticated,
      middleware: allow('administer'),
      responses: { 200: json(PeopleListSchema, 'People'), ...errors('unauthorized', 'forbidden') },
    }),
    async (c) => c.json({ people: (await people.list()).map(toPerson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/people',
      tags: ['People'],
      summary: 'Add a person with a role (admins)',
      description: 'The e-mail address is optional, compared lower-cased, and unique (409 `email_taken`). Then send them an invite link or a pairing code.',
      security: authenticated,
      middleware: allow('administer'),
      request: jsonBody(CreatePersonSchema),
      responses: { 201: json(PersonResponseSchema, 'Added'), ...errors('unauthorized', 'forbidden', 'validation_failed', 'email_taken') },
    }),
    async (c) => {
      const person = await people.create(c.req.valid('json'), actorOf(c.get('principal')));
      return c.json({ person: toPerson(person) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/people/{id}',
      tags: ['People'],
      summary: 'Rename, change the role, disable or enable a person (admins; partial: what is left out stays)',
      description: 'Disabling revokes their devices and console sessions at once. The last enabled admin cannot be demoted or disabled (409 `last_admin`).',
      security: authenticated,
      middleware: allow('administer'),
      request: { params: IdParam, ...jsonBody(UpdatePersonSchema) },
      responses: {
        200: json(PersonResponseSchema, 'The person'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'person_not_found', 'last_admin'),
      },
    }),
    async (c) => {
      const person = await people.update(c.req.valid('param').id, c.req.valid('json'), actorOf(c.get('principal')));
      return c.json({ person: toPerson(person) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/people/{id}/invites',
      tags: ['People'],
      summary: 'An invite link for a person: it opens the console to add a passkey (admins)',
      description: 'Single use, valid for 72 h. The link is shown once: the server keeps only a digest of its token. A disabled person gets none (400).',
      security: authenticated,
      middleware: allow('administer'),
      request: { params: IdParam },
      responses: {
        201: json(InviteResponseSchema, 'The invite link'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'person_not_found'),
      },
    }),
    async (c) => {
      const { url, expiresAt } = await people.invite(c.req.valid('param').id, actorOf(c.get('principal')), c.req.url);
      return c.json({ url, expiresAt }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/pairing-codes',
      tags: ['Devices'],
      summary: 'A pairing code for the extension (or a console sign-in), bound to the caller; an admin may name another person',
      description:
        'Single use, valid for 10 minutes; exchanged by POST /api/pair. Naming someone else needs the admin role (403); a disabled person gets none (400).',
      security: authenticated,
      middleware: allow('read'),
      request: jsonBody(PairingCodeRequestSchema),
      responses: {
        201: json(PairingCodeResponseSchema, 'The code'),
        ...errors('unauthorized', 'forbidden', 'validation_failed', 'person_not_found'),
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const personId = c.req.valid('json').personId ?? principal.person.id;
      if (personId !== principal.person.id) requirePermission(principal, 'administer');
      const { code, expiresAt } = await pairing.issueCode(personId);
      return c.json({ code, expiresAt: expiresAt.toISOString() }, 201);
    },
  );

  return router;
}
