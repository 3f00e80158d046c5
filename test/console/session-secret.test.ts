/** The session secret's storage and its hand-over in the URL fragment. */
import { afterEach, describe, expect, it } from 'vitest';
import { adoptSecretFromFragment, forgetSecret, keepSecret, readSecret, secretInFragment, SESSION_STORAGE_KEY } from '../../console/src/session-secret';

afterEach(() => localStorage.clear());

describe('the session secret', () => {
  it('is kept in localStorage under serval.session, and forgotten', () => {
    expect(readSecret()).toBeNull();
    keepSecret('sss_abc');
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBe('sss_abc');
    expect(readSecret()).toBe('sss_abc');
    forgetSecret();
    expect(readSecret()).toBeNull();
  });

  it.each([
    ['#session=sss_AbC-09_x', 'sss_AbC-09_x'],
    ['#session=', null],
    ['#session=a b', null],
    ['#inv_token', null],
    ['', null],
    ['#session=x&other=1', null],
  ])('the fragment %j holds %j', (hash, secret) => {
    expect(secretInFragment(hash)).toBe(secret);
  });

  it('moves #session=<secret> into storage and out of the URL, without a history entry', () => {
    history.replaceState(null, '', '/applications?x=1#session=sss_from_sso');
    const entries = history.length;
    expect(adoptSecretFromFragment()).toBe(true);
    expect(readSecret()).toBe('sss_from_sso');
    expect(location.pathname + location.search + location.hash).toBe('/applications?x=1');
    expect(history.length).toBe(entries);
  });

  it('leaves any other fragment (an invite token) alone', () => {
    history.replaceState(null, '', '/invite#inv_abc');
    expect(adoptSecretFromFragment()).toBe(false);
    expect(location.hash).toBe('#inv_abc');
    expect(readSecret()).toBeNull();
  });
});
