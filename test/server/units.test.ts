/** The pure parts: config, Stripe failure classification, the verdict, the attempt limiter. */
import { beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { stripeSdk } from '../../server/stripe/sdk.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { secondsToWait } from '../../server/pairing/attempt-limiter.js';
import { clockTime } from '../../server/pairing/codes.js';
import { createMemoryLogger, scrubValues } from '../../server/logger.js';
import { accountIdFromMessage, describeStripeFailure, scopeFromMessage } from '../../server/stripe/failures.js';
import { decideVerdict, type CheckAnswers } from '../../server/stripe/verdict.js';
import { workflowFailure } from '../../server/workflows/errors.js';
import { PERMISSION_IDS } from '../../shared/permissions.js';

describe('config', () => {
  it('needs nothing: every default', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8787, host: '127.0.0.1', masterKeys: null, logLevel: 'info' });
    expect(c.stripe).toMatchObject({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('reads a Stripe-compatible server from STRIPE_API_BASE', () => {
    expect(loadConfig({ STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe).toMatchObject({ host: '127.0.0.1', port: 12111, protocol: 'http' });
  });

  it('STRIPE_API_BASE: https to any host, plain http only to loopback (every request carries a key)', () => {
    for (const base of [
      'http://127.0.0.1:12111',
      'http://127.1:12111',
      'http://localhost:12111',
      'http://[::1]:12111',
      'http://[::ffff:7f00:1]:1',
      'https://stripe.example.com',
    ]) {
      expect(() => loadConfig({ STRIPE_API_BASE: base }), base).not.toThrow();
    }
    for (const base of ['http://stripe.example.com', 'http://10.0.0.5:12111', 'http://[::2]:1', 'http://127.0.0.1.nip.io', 'http://localhost.example.com']) {
      expect(() => loadConfig({ STRIPE_API_BASE: base }), base).toThrow(ConfigError);
      expect(() => loadConfig({ STRIPE_API_BASE: base }), base).toThrow(/STRIPE_API_BASE: plain http is allowed only to a loopback address/);
    }
  });

  it('a bad value stops start-up with a message naming the variable', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['SERVAL_MASTER_KEY', 'c2hvcnQ='],
      ['STRIPE_API_BASE', 'ftp://x'],
      ['LOG_LEVEL', 'loud'],
    ]) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(name);
    }
  });
});

const permissionError = (message: string) => new Stripe.errors.StripePermissionError({ message, type: 'invalid_request_error', statusCode: 403 } as never);

describe('Stripe failures, by status and class — never by wording', () => {
  beforeAll(async () => {
    await stripeSdk(); // loaded by the first call to Stripe, as in the server
  });
  const formatA =
    "The provided key 'rk_test_****Ab12cd' does not have the required permissions for this endpoint on account 'acct_1PJBLEBBLEfV'. Having the 'rak_balance_read' permission would allow this request to continue.";
  const formatB =
    "Permission denied. The provided key 'rk_live_…BuW4ie' does not have the required permissions for this endpoint on account 'acct_9XyZ'. Enabling \"Customers Write\" ('customer_write') permissions on this key would allow this request to continue.";

  it('reads the account and scope from both 403 wordings', () => {
    expect(accountIdFromMessage(formatA)).toBe('acct_1PJBLEBBLEfV');
    expect(scopeFromMessage(formatA)).toBe('rak_balance_read');
    expect(accountIdFromMessage(formatB)).toBe('acct_9XyZ');
    expect(scopeFromMessage(formatB)).toBe('rak_customer_write');
    expect(scopeFromMessage('Some entirely new wording.')).toBeNull();
  });

  it('a 403 with any wording is a permission failure', () => {
    expect(describeStripeFailure(permissionError('Something new entirely'))).toMatchObject({ kind: 'permission', scope: null });
    expect(describeStripeFailure(permissionError(formatB))).toMatchObject({ kind: 'permission', scope: 'rak_customer_write', accountId: 'acct_9XyZ' });
  });

  it('401, 429, 5xx, connection errors and non-Stripe errors', () => {
    expect(describeStripeFailure(new Stripe.errors.StripeAuthenticationError({ message: 'x', statusCode: 401 } as never))).toMatchObject({
      kind: 'auth',
      expired: false,
    });
    expect(
      describeStripeFailure(new Stripe.errors.StripeAuthenticationError({ message: 'x', statusCode: 401, code: 'api_key_expired' } as never)),
    ).toMatchObject({ kind: 'auth', expired: true });
    expect(describeStripeFailure(new Stripe.errors.StripeRateLimitError({ message: 'x', statusCode: 429 } as never))).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 1,
    });
    expect(describeStripeFailure(new Stripe.errors.StripeAPIError({ message: 'x', statusCode: 500 } as never))).toMatchObject({ kind: 'unavailable' });
    expect(describeStripeFailure(new Stripe.errors.StripeConnectionError({ message: 'timeout' } as never))).toMatchObject({ kind: 'unavailable' });
    expect(describeStripeFailure(new Error('boom'))).toMatchObject({ kind: 'unavailable' });
    expect(
      describeStripeFailure(
        new Stripe.errors.StripeInvalidRequestError({ message: "No such customer: 'cus_x'", statusCode: 404, code: 'resource_missing' } as never),
      ),
    ).toMatchObject({ kind: 'request', statusCode: 404 });
  });

  it('a 401 (or 403) saying the key does not allow requests from this IP address is access_restricted, not auth', () => {
    const ip = 'The API key provided does not allow requests from your IP address.';
    for (const message of [ip, `${ip.slice(0, -1)} (203.0.113.7).`]) {
      expect(describeStripeFailure(new Stripe.errors.StripeAuthenticationError({ message, statusCode: 401 } as never))).toEqual({
        kind: 'access_restricted',
        message,
      });
      expect(describeStripeFailure(permissionError(message))).toMatchObject({ kind: 'access_restricted' });
    }
    const refused = workflowFailure(
      describeStripeFailure(new Stripe.errors.StripeAuthenticationError({ message: ip, statusCode: 401 } as never)),
      'charges_read',
    );
    expect(refused).toMatchObject({ change: null, error: { code: 'key_access_restricted', status: 422 } });
  });

  it("a workflow 403 names the permission from Stripe's scope when it is there, else the route's", () => {
    const fromMessage = workflowFailure(describeStripeFailure(permissionError(formatA)), 'charges_read');
    expect(fromMessage.change).toMatchObject({ status: 'missing_permissions', missing: 'balance_read' });
    expect(fromMessage.error.message).toContain('Balance: Read');
    const fallback = workflowFailure(describeStripeFailure(permissionError('New wording')), 'charges_read');
    expect(fallback.change?.missing).toBe('charges_read');
  });
});

describe('the verdict', () => {
  const key = { ok: true as const, key: 'rk_test_x', keyType: 'restricted' as const, mode: 'test' as const };
  const ok = { ok: true as const, value: {} };
  const all = (r: CheckAnswers['probes'][keyof CheckAnswers['probes']]) => Object.fromEntries(PERMISSION_IDS.map((id) => [id, r])) as CheckAnswers['probes'];
  const fail = (failure: any) => ({ ok: false as const, failure });

  it('any 401 refuses the key, expired or not', () => {
    const answers = { account: fail({ kind: 'auth', expired: true, message: '' }), probes: all(ok) };
    expect(decideVerdict(key, answers, 'now')).toEqual({ ok: false, refusal: { code: 'expired_api_key' } });
  });

  it('a key refused for this address is key_access_restricted, whatever the other answers', () => {
    const probes = {
      ...all(fail({ kind: 'permission', message: '', accountId: 'acct_2', scope: null })),
      charges_read: fail({ kind: 'access_restricted', message: '' }),
    };
    expect(decideVerdict(key, { account: fail({ kind: 'access_restricted', message: '' }), probes }, 'now')).toEqual({
      ok: false,
      refusal: { code: 'key_access_restricted' },
    });
  });

  it('an outage anywhere refuses to guess', () => {
    const probes = { ...all(ok), balance_read: fail({ kind: 'unavailable', message: '' }) };
    expect(decideVerdict(key, { account: { ok: true, value: { id: 'acct_1', name: null } }, probes }, 'now')).toEqual({
      ok: false,
      refusal: { code: 'stripe_unavailable' },
    });
  });

  it('404 on the write probe is granted; 403 is missing; the account comes from a 403 when /v1/account is refused', () => {
    const probes = {
      ...all(ok),
      customers_write: fail({ kind: 'request', statusCode: 404, code: 'resource_missing', message: '', param: 'id' }),
      balance_read: fail({ kind: 'permission', message: '', accountId: 'acct_2', scope: 'rak_balance_read' }),
    };
    const v = decideVerdict(key, { account: fail({ kind: 'permission', message: '', accountId: 'acct_2', scope: null }), probes }, 'now');
    expect(v).toMatchObject({ ok: true, validation: { accountId: 'acct_2', missingPermissions: ['balance_read'] } });
  });
});

describe('the pairing attempt limiter', () => {
  it('blocks after five failures in a minute, and forgets them as they age', () => {
    const settings = { maxFailures: 5, windowMs: 60_000 };
    const failures: number[] = [];
    for (let t = 0; t < 5000; t += 1000) {
      expect(secondsToWait(failures, t, settings)).toBe(0);
      failures.push(t);
    }
    expect(secondsToWait(failures, 5000, settings)).toBe(55);
    expect(secondsToWait([], 5000, settings)).toBe(0);
    expect(secondsToWait(failures, 60_001, settings)).toBe(0);
    expect(secondsToWait([...failures].reverse(), 5000, settings)).toBe(55); // order doesn't matter
  });
});

describe('the pairing code’s expiry as printed', () => {
  it('is the local wall-clock time, hours and minutes, zero-padded', () => {
    expect(clockTime(new Date(2026, 10, 28, 9, 5, 59))).toBe('09:05');
    expect(clockTime(new Date(2026, 10, 28, 23, 40))).toBe('23:40');
    expect(clockTime(new Date(2026, 10, 28, 0, 0))).toBe('00:00');
  });
});

describe('the logger', () => {
  it('scrubs keys from values at any depth, and hands back what holds none untouched', () => {
    const clean = { method: 'GET', path: '/api/status', status: 200, ms: 1.2, nested: { list: ['a', 1, null] } };
    expect(scrubValues(clean, 0)).toBe(clean);
    const key = `rk_test_${'Ab3'.repeat(10)}`;
    const dirty = { method: 'GET', path: `/x/${key}`, nested: { list: ['a', `=${key}`] }, after: 'b' };
    expect(scrubValues(dirty, 0)).toEqual({ method: 'GET', path: '/x/rk_test_…3Ab3', nested: { list: ['a', '=rk_test_…3Ab3'] }, after: 'b' });
    expect(dirty.path).toContain(key); // the caller's object is not changed
  });

  it('writes one JSON line per event, with the ISO time of the event', () => {
    const { logger, lines } = createMemoryLogger('info');
    logger.info({ n: 1 }, 'first');
    const [a] = lines.map((line) => JSON.parse(line));
    expect(a).toMatchObject({ level: 30, service: 'serval', n: 1, msg: 'first' });
    expect(new Date(a.time).toISOString()).toBe(a.time);
    expect(Math.abs(Date.parse(a.time) - Date.now())).toBeLessThan(1000);
  });

  it('leaves out a field that is undefined (a request line without a device has no deviceId)', () => {
    const { logger, lines } = createMemoryLogger('info');
    logger.info({ method: 'GET', status: 401, deviceId: undefined }, 'request');
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('deviceId');
    expect(lines[0]).not.toContain('deviceId');
  });
});
