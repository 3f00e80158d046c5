/**
 * The alerts' pure rules: the signature a receiver checks, the retry schedule, which URLs and
 * addresses an alert may go to, which changes make which alerts, and the payload and Slack shapes.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertUrlError, classifyAddress, judgeAddress, judgeUrl } from '../../server/alerts/address.js';
import { nextAttemptAt, RETRY_WINDOW_MS } from '../../server/alerts/backoff.js';
import { resolveTarget } from '../../server/alerts/deliver.js';
import { alertPayload, alertsForChange } from '../../server/alerts/payload.js';
import { newSigningSecret, signatureHeader, verifySignature } from '../../server/alerts/signature.js';
import { escapeSlack, slackMessage } from '../../server/alerts/slack.js';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AlertUrlError) return error.code;
    throw error;
  }
  return 'allowed';
};

describe('the Serval-Signature header', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> under the secret, and verifies only the body it signed, within the tolerance', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^svlsig_[A-Za-z0-9_-]{43}$/);
    const body = '{"id":"evt_1","type":"integration.broken"}';
    const at = new Date('2026-06-01T12:00:00.500Z');
    const header = signatureHeader(secret, at, body);
    const t = Math.floor(at.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifySignature(secret, header, body, at)).toBe(true);
    expect(verifySignature(secret, header, body.replace('broken', 'recovered'), at)).toBe(false);
    expect(verifySignature(newSigningSecret(), header, body, at)).toBe(false);
    expect(verifySignature(secret, header, body, new Date(at.getTime() + 301_000))).toBe(false); // replayed later
    expect(verifySignature(secret, 'v1=abc', body, at)).toBe(false);
  });
});

describe('the retry schedule', () => {
  it('waits the base, then doubles, for as long as the next attempt falls within 24 h of the event; then the delivery has failed', () => {
    const eventAt = new Date('2026-06-01T00:00:00.000Z');
    let now = eventAt;
    const waits: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const next = nextAttemptAt({ attempts, eventAt, now, baseMs: 60_000 });
      if (!next) break;
      waits.push((next.getTime() - now.getTime()) / 1000);
      now = next;
    }
    expect(waits).toEqual([60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720]);
    expect(now.getTime() - eventAt.getTime()).toBeLessThanOrEqual(RETRY_WINDOW_MS);
    expect(nextAttemptAt({ attempts: 1, eventAt, now: new Date(eventAt.getTime() + RETRY_WINDOW_MS), baseMs: 60_000 })).toBeNull();
  });
});

describe('where an alert may go', () => {
  it('classifies addresses in every spelling, IPv4 inside IPv6 as the IPv4 it carries', () => {
    const cases: Record<string, string> = {
      '8.8.8.8': 'public',
      '2606:4700:4700::1111': 'public',
      '127.0.0.1': 'loopback',
      '127.1.2.3': 'loopback',
      '::1': 'loopback',
      '0:0:0:0:0:0:0:1': 'loopback',
      '::ffff:7f00:1': 'loopback',
      '10.0.0.5': 'private',
      '172.20.1.1': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'private',
      'fd12:3456::1': 'private',
      '::ffff:10.0.0.5': 'private',
      '::ffff:a00:5': 'private',
      '64:ff9b::a00:5': 'private',
      '2002:a00:5::1': 'private',
      '169.254.1.1': 'link_local',
      'fe80::1': 'link_local',
      '169.254.169.254': 'metadata',
      '::ffff:169.254.169.254': 'metadata',
      'fd00:ec2::254': 'metadata',
      '100.100.100.200': 'metadata',
      '0.0.0.0': 'reserved',
      '::': 'reserved',
      '224.0.0.1': 'reserved',
      'ff02::1': 'reserved',
    };
    for (const [address, kind] of Object.entries(cases)) expect([address, classifyAddress(address)]).toEqual([address, kind]);
  });

  it('takes https:// anywhere and http:// only on loopback, and no credentials in the URL', () => {
    const judged = (url: string) => refusal(() => judgeUrl(url));
    expect(judged('https://hooks.example.com/x')).toBe('allowed');
    expect(judged('http://127.0.0.1:9000/x')).toBe('allowed');
    expect(judged('http://localhost:9000/x')).toBe('allowed');
    expect(judged('http://[::1]:9000/x')).toBe('allowed');
    expect(judged('http://hooks.example.com/x')).toBe('alert_url_insecure');
    expect(judged('http://10.0.0.5/x')).toBe('alert_url_insecure');
    expect(judged('ftp://hooks.example.com/x')).toBe('alert_url_insecure');
    expect(judged('https://user:pass@hooks.example.com/x')).toBe('alert_url_insecure');
    expect(judged('not a url')).toBe('alert_url_insecure');
  });

  it('refuses private, link-local and metadata addresses; SERVAL_ALERTS_ALLOW_PRIVATE lets private and link-local through, never metadata or a reserved range', () => {
    const judged = (host: string, address: string, allowPrivate = false) => refusal(() => judgeAddress(host, address, allowPrivate));
    expect(judged('hooks.example.com', '93.184.215.14')).toBe('allowed');
    for (const address of ['10.0.0.5', '169.254.169.254', 'fe80::1', '::ffff:10.0.0.5', '127.0.0.1', '::1']) {
      expect([address, judged('hooks.example.com', address)]).toEqual([address, 'alert_url_refused']);
    }
    expect(judged('hooks.internal', '10.0.0.5', true)).toBe('allowed');
    expect(judged('hooks.internal', 'fe80::1', true)).toBe('allowed');
    expect(judged('hooks.internal', '169.254.169.254', true)).toBe('alert_url_refused');
    for (const address of ['0.0.0.0', '224.0.0.1', '192.0.2.1', 'ff02::1', '2001:db8::1']) {
      expect([address, judged('hooks.internal', address, true)]).toEqual([address, 'alert_url_refused']); // reserved: never
    }
    expect(judged('localhost', '127.0.0.1')).toBe('allowed');
    expect(judged('localhost', '10.0.0.5')).toBe('alert_url_refused'); // "localhost" must stay on this machine
  });

  it('judges every address a name resolves to, with the resolver stubbed: one private address among public ones is refused', async () => {
    const stub = (addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const target = (url: string, addresses: string[], allowPrivate = false) =>
      resolveTarget(new URL(url), stub(addresses), allowPrivate).then(
        (t) => t.address,
        (e: unknown) => (e instanceof AlertUrlError ? e.code : Promise.reject(e)),
      );
    expect(await target('https://hooks.example.com/', ['93.184.215.14'])).toBe('93.184.215.14');
    expect(await target('https://hooks.example.com/', ['10.0.0.5'])).toBe('alert_url_refused');
    expect(await target('https://hooks.example.com/', ['93.184.215.14', '169.254.169.254'])).toBe('alert_url_refused');
    expect(await target('https://hooks.example.com/', ['::ffff:7f00:1'])).toBe('alert_url_refused');
    expect(await target('https://hooks.example.com/', [])).toBe('alert_url_refused');
    expect(await target('https://hooks.internal/', ['10.0.0.5'], true)).toBe('10.0.0.5');
    expect(await target('https://10.0.0.5/', [])).toBe('alert_url_refused'); // a literal needs no lookup
  });
});

describe('which changes make alerts', () => {
  it('one per change of state: working → broken, broken → working (also by a replaced key), a live key, a paired browser', () => {
    expect(alertsForChange({ action: 'integration.status_changed', detail: { from: 'connected', to: 'invalid' } })).toEqual(['integration.broken']);
    expect(alertsForChange({ action: 'integration.status_changed', detail: { from: 'connected', to: 'missing_permissions' } })).toEqual(['integration.broken']);
    expect(alertsForChange({ action: 'integration.status_changed', detail: { from: 'missing_permissions', to: 'invalid' } })).toEqual([]); // still broken
    expect(alertsForChange({ action: 'integration.status_changed', detail: { from: 'invalid', to: 'connected' } })).toEqual(['integration.recovered']);
    expect(alertsForChange({ action: 'integration.replaced', detail: { previousStatus: 'invalid', status: 'connected', mode: 'test' } })).toEqual([
      'integration.recovered',
    ]);
    expect(alertsForChange({ action: 'integration.replaced', detail: { previousStatus: 'connected', status: 'connected', mode: 'live' } })).toEqual([
      'integration.live_connected',
    ]);
    expect(alertsForChange({ action: 'integration.connected', detail: { status: 'connected', mode: 'test' } })).toEqual([]);
    expect(alertsForChange({ action: 'device.paired', detail: {} })).toEqual(['device.paired']);
    expect(alertsForChange({ action: 'integration.permissions_changed', detail: {} })).toEqual([]);
  });

  it('a payload names the application, the masked key and the person, and a Slack message escapes what people typed', () => {
    const payload = alertPayload({
      id: 'evt_1',
      type: 'integration.broken',
      createdAt: '2026-06-01T12:00:00.000Z',
      application: { id: 'app_1', name: 'Billing <!channel> & co' },
      integration: {
        maskedKey: 'rk_test_…Ab12',
        keyType: 'restricted',
        mode: 'test',
        accountId: 'acct_1',
        accountName: 'Sandbox A',
        status: 'invalid',
        keyExpiresAt: null,
      },
      person: undefined,
    });
    expect(payload).toEqual({
      id: 'evt_1',
      type: 'integration.broken',
      createdAt: '2026-06-01T12:00:00.000Z',
      application: { id: 'app_1', name: 'Billing <!channel> & co' },
      integration: {
        maskedKey: 'rk_test_…Ab12',
        keyType: 'restricted',
        mode: 'test',
        accountId: 'acct_1',
        accountName: 'Sandbox A',
        status: 'invalid',
        keyExpiresAt: null,
      },
      person: null,
    });
    const slack = slackMessage(payload);
    expect(slack.text).toBe('Serval: A stored key stopped working: *Billing &lt;!channel&gt; &amp; co* `rk_test_…Ab12` (test, invalid, Sandbox A, acct_1)');
    expect(slack.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('&lt;!channel&gt;') } });
    expect(slack.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'integration.broken · evt_1 · 2026-06-01T12:00:00.000Z' }] });
    expect(escapeSlack('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });
});
