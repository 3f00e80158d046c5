/**
 * Console sessions: the credential a person signs in to the console with, however they signed in
 * (passkey, SSO, pairing code). It has two parts and neither is valid alone: a random value in an
 * HttpOnly cookie, and a secret the console keeps in its own origin's storage and sends as the
 * X-Serval-Session header. A page on another port of the same host receives the cookie (browsers
 * don't keep cookies apart by port) but cannot read the console's storage. The server keeps only
 * the SHA-256 digests of both. Every request reads the session's row, so a session revoked (or a
 * person disabled) through any instance is refused at once.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { PersonRow, Repositories, SessionRow } from '../db/repositories.js';
import { newId } from '../ids.js';
import { requirePermission } from './authorize.js';
import { actorOf, type Principal } from './principal.js';

export type SessionService = ReturnType<typeof createSessionService>;

/** A session just started: its row, and the two halves of its credential — handed out this once. */
export type StartedSession = { row: SessionRow; cookieValue: string; secret: string };

/** The secret's prefix says what it is (in a leaked log, a support ticket), as `svl_` does for device tokens. */
const SECRET_PREFIX = 'sss_';
/** 32 random bytes in base64url. */
const VALUE_LENGTH = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Only note a session's activity this often, so authenticating stays a read. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
/** The User-Agent kept for the session list: enough to tell browsers apart. */
const MAX_USER_AGENT = 256;

export function createSessionService(deps: {
  repos: Repositories;
  audit: AuditRecorder;
  now: () => Date;
  /** config.sessions: idle expiry (since lastSeenAt) and the absolute one (since sign-in). */
  limits: { idleMs: number; maxMs: number };
}) {
  const { repos, audit, now, limits } = deps;

  /** Still within its idle time at `at` (its absolute expiry is the repository's to check). */
  const awake = (session: Pick<SessionRow, 'lastSeenAt'>, at: Date) => at.getTime() - Date.parse(session.lastSeenAt) < limits.idleMs;

  return {
    /**
     * Starts a session for the person: writes its row and a `session.started` audit event in one
     * transaction — the caller's `tx` when given (so that, say, an invite is used up only together
     * with the session it opened), else its own.
     */
    async start(input: { personId: string; method: SessionRow['method']; userAgent: string | undefined }, tx?: Repositories): Promise<StartedSession> {
      const cookieValue = randomBytes(32).toString('base64url');
      const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
      const at = now();
      const row: SessionRow = {
        id: newId('ses'),
        personId: input.personId,
        cookieHash: digest(cookieValue),
        secretHash: digest(secret),
        method: input.method,
        userAgent: cleanUserAgent(input.userAgent),
        createdAt: at.toISOString(),
        lastSeenAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + limits.maxMs).toISOString(),
        revokedAt: null,
      };
      const write = async (t: Repositories) => {
        await t.sessions.create(row);
        await audit.record(t, {
          action: 'session.started',
          actor: { personId: input.personId, deviceId: null },
          applicationId: null,
          detail: { sessionId: row.id, method: row.method },
        });
      };
      if (tx) await write(tx);
      else await repos.transaction(write);
      return { row, cookieValue, secret };
    },

    /**
     * The session both halves name, and its person; null when either half is missing or malformed,
     * the secret is not this session's, or the session is revoked, expired (idle or absolute) or
     * its person disabled.
     */
    async authenticate(cookieValue: string, secret: string): Promise<{ session: SessionRow; person: PersonRow } | null> {
      // Shape first: a device token (`svl_…`) in either place is simply not a session.
      if (cookieValue.length !== VALUE_LENGTH || !BASE64URL.test(cookieValue)) return null;
      if (!secret.startsWith(SECRET_PREFIX) || secret.length !== SECRET_PREFIX.length + VALUE_LENGTH) return null;
      const at = now();
      const found = await repos.sessions.active(digest(cookieValue), at.toISOString());
      if (!found) return null;
      if (!timingSafeEqual(Buffer.from(digest(secret), 'hex'), Buffer.from(found.session.secretHash, 'hex'))) return null;
      if (!awake(found.session, at)) return null;
      if (at.getTime() - Date.parse(found.session.lastSeenAt) > LAST_SEEN_RESOLUTION_MS) {
        await repos.sessions.touch(found.session.id, at.toISOString());
      }
      return found;
    },

    /** The live sessions (not revoked, not expired either way): one person's, or everyone's (null). */
    async listLive(personId: string | null) {
      const at = now();
      return (await repos.sessions.listActive(personId, at.toISOString())).filter((s) => awake(s, at));
    },

    /**
     * Revokes a live session: one's own, or (an admin) anyone's — else 403 `forbidden`; an unknown,
     * revoked or expired one is 404 `session_not_found`. Audited as `session.revoked`.
     */
    async revoke(sessionId: string, by: Principal): Promise<SessionRow> {
      return repos.transaction(async (tx) => {
        const at = now();
        const session = await tx.sessions.get(sessionId);
        if (!session || session.revokedAt !== null || Date.parse(session.expiresAt) <= at.getTime() || !awake(session, at)) {
          throw new ApiError('session_not_found');
        }
        if (session.personId !== by.person.id) requirePermission(by, 'administer');
        await tx.sessions.revoke(session.id, at.toISOString());
        await audit.record(tx, {
          action: 'session.revoked',
          actor: actorOf(by),
          applicationId: null,
          detail: { sessionId: session.id, personId: session.personId },
        });
        return session;
      });
    },
  };
}

/** One-shot SHA-256 (no Hash object per call): it runs on every session request. */
function digest(value: string): string {
  return hash('sha256', value, 'hex');
}

/** What a person would recognise their browser by in the session list; control characters never stored. */
function cleanUserAgent(userAgent: string | undefined): string | null {
  const cleaned = userAgent
    ?.replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, MAX_USER_AGENT);
  return cleaned ? cleaned : null;
}
