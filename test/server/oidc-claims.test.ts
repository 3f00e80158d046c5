/** The SSO decisions that need no provider: which issuers may be reached, what a verified identity is, whom it signs in. */
import { describe, expect, test } from 'vitest';
import { identityFrom, issuerTransport, signInDecision, SsoError } from '../../server/auth/oidc.js';
import { ConfigError } from '../../server/config.js';

describe('the issuer', () => {
  test('https anywhere; plain http only on a loopback address', () => {
    expect(issuerTransport('https://accounts.example.com')).toBe('https');
    for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:9000/realms/x', 'http://[::1]:9000', 'http://127.4.5.6']) {
      expect(issuerTransport(issuer), issuer).toBe('loopback-http');
    }
    for (const issuer of ['http://accounts.example.com', 'http://10.0.0.5:8080', 'http://localhost.example.com', 'http://127.0.0.1.nip.io']) {
      expect(() => issuerTransport(issuer), issuer).toThrow(ConfigError);
    }
  });
});

describe('the identity in the claims', () => {
  test('a verified e-mail, lower-cased; the name, else the e-mail', () => {
    expect(identityFrom({ email: ' Ada@Example.COM ', email_verified: true, name: ' Ada Lovelace ' })).toEqual({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });
    expect(identityFrom({ email: 'ada@example.com', email_verified: true })).toEqual({ email: 'ada@example.com', name: 'ada@example.com' });
    expect(identityFrom({ email: 'ada@example.com', email_verified: true, name: '  ' }).name).toBe('ada@example.com');
  });

  test('no e-mail, or one not verified (false, missing, or the string "true"), is refused', () => {
    for (const claims of [
      { email_verified: true },
      { email: '', email_verified: true },
      { email: 'a@b.c' },
      { email: 'a@b.c', email_verified: false },
      { email: 'a@b.c', email_verified: 'true' },
    ]) {
      let refusal: unknown;
      try {
        identityFrom(claims);
      } catch (error) {
        refusal = error;
      }
      expect(refusal, JSON.stringify(claims)).toBeInstanceOf(SsoError);
      expect((refusal as SsoError).code).toBe('sso_refused');
    }
  });
});

describe('whom it signs in', () => {
  test('an enabled person: them; a disabled one: refused', () => {
    expect(signInDecision({ disabledAt: null }, null)).toEqual({ kind: 'existing' });
    expect(signInDecision({ disabledAt: null }, 'admin')).toEqual({ kind: 'existing' });
    expect(signInDecision({ disabledAt: '2026-01-01T00:00:00.000Z' }, 'member')).toMatchObject({ kind: 'refused' });
  });

  test('no one: refused, unless a default role is set', () => {
    expect(signInDecision(undefined, null)).toMatchObject({ kind: 'refused' });
    expect(signInDecision(undefined, 'viewer')).toEqual({ kind: 'create', role: 'viewer' });
  });
});
