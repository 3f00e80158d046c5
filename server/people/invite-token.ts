/**
 * Invite links: a sign-in enrolment link for one person, single use, 72 h. The token has 256
 * random bits; the server keeps only its SHA-256. It travels in the link's fragment, which
 * browsers never send to a server (nor to a proxy's access log). Pure apart from randomness.
 */
import { hash, randomBytes } from 'node:crypto';

export const INVITE_TTL_MS = 72 * 3_600_000;

/** `inv_` + 32 random bytes, base64url. */
export function generateInviteToken(): string {
  return `inv_${randomBytes(32).toString('base64url')}`;
}

export function hashInviteToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The link an admin hands on: the console's invite page, the token in the fragment. */
export function inviteUrl(origin: string, token: string): string {
  return `${origin}/invite#${token}`;
}
