import { describe, expect, it } from 'vitest';
import { recognizeStripePage } from '../../extension/page/stripe-pages';

describe('recognizeStripePage', () => {
  it('knows the API keys pages in both modes, with and without an account prefix', () => {
    expect(recognizeStripePage('https://dashboard.stripe.com/apikeys')).toEqual({ kind: 'apikeys', mode: 'live', accountId: null });
    expect(recognizeStripePage('https://dashboard.stripe.com/test/apikeys')).toEqual({ kind: 'apikeys', mode: 'test', accountId: null });
    expect(recognizeStripePage('https://dashboard.stripe.com/acct_1AbC2dEf3GhI/apikeys')).toEqual({
      kind: 'apikeys',
      mode: 'live',
      accountId: 'acct_1AbC2dEf3GhI',
    });
    expect(recognizeStripePage('https://dashboard.stripe.com/acct_1AbC2dEf3GhI/test/apikeys')).toEqual({
      kind: 'apikeys',
      mode: 'test',
      accountId: 'acct_1AbC2dEf3GhI',
    });
  });

  it('follows the pages Stripe moved the keys to, and the create and edit pages', () => {
    expect(recognizeStripePage('https://dashboard.stripe.com/test/workbench/apikeys')).toMatchObject({ mode: 'test' });
    expect(recognizeStripePage('https://dashboard.stripe.com/developers/apikeys')).toMatchObject({ mode: 'live' });
    expect(recognizeStripePage('https://dashboard.stripe.com/test/apikeys/create?name=Serval&permissions[]=rak_charge_read')).toMatchObject({
      kind: 'apikeys',
      mode: 'test',
    });
    expect(recognizeStripePage('https://dashboard.stripe.com/apikeys/rk_123/edit')).toMatchObject({ kind: 'apikeys' });
  });

  it("knows the organization's API keys page (sk_org_ keys), which names no account and no mode", () => {
    for (const url of [
      'https://dashboard.stripe.com/org/api-keys/secret',
      'https://dashboard.stripe.com/org/api-keys',
      'https://dashboard.stripe.com/org/api-keys/secret?x=1#k',
    ]) {
      expect(recognizeStripePage(url), url).toEqual({ kind: 'organization-apikeys', mode: null, accountId: null });
    }
    expect(recognizeStripePage('https://dashboard.stripe.com/org/settings')).toBeNull();
    expect(recognizeStripePage('https://dashboard.stripe.com/acct_1AbC/org/api-keys/secret')).toBeNull();
  });

  it('ignores query strings, fragments and trailing slashes', () => {
    expect(recognizeStripePage('https://dashboard.stripe.com/test/apikeys/?foo=1#reveal')).toMatchObject({ mode: 'test' });
    expect(recognizeStripePage(new URL('https://dashboard.stripe.com/apikeys#x'))).toMatchObject({ mode: 'live' });
  });

  it('does not claim other dashboard pages or other sites', () => {
    for (const url of [
      'https://dashboard.stripe.com/',
      'https://dashboard.stripe.com/test/payments',
      'https://dashboard.stripe.com/test/webhooks',
      'https://dashboard.stripe.com/settings/apikeys-something',
      'https://dashboard.stripe.com/test/customers/apikeys',
      'https://stripe.com/apikeys',
      'https://dashboard.stripe.com.evil.example/apikeys',
      'http://dashboard.stripe.com/apikeys',
      'not a url',
    ]) {
      expect(recognizeStripePage(url), url).toBeNull();
    }
  });
});
