/** The Backend URL rule: https://, or http:// only to this computer (127.x.y.z, localhost, [::1]). */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isSecureBackendUrl, normalizeBackendUrl } from '../../extension/pairing/backend-url';

describe('the Backend URL', () => {
  it('keeps http:// for a backend on this computer', () => {
    for (const [typed, url] of [
      ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
      ['127.0.0.1:8787/', 'http://127.0.0.1:8787'],
      ['http://127.8.9.10:1/serval/', 'http://127.8.9.10:1/serval'],
      ['http://127.1:8787', 'http://127.0.0.1:8787'], // the URL parser spells out short IPv4 forms
      ['http://LOCALHOST:8787', 'http://localhost:8787'],
      ['localhost:8787', 'http://localhost:8787'],
      ['http://[::1]:8787', 'http://[::1]:8787'],
      ['http://[0:0:0:0:0:0:0:1]:8787', 'http://[::1]:8787'],
      ['[::1]:8787', 'http://[::1]:8787'],
    ]) {
      expect(normalizeBackendUrl(typed), typed).toEqual({ ok: true, url });
    }
  });

  it('accepts https:// anywhere, and gives a host off this computer https:// when no scheme is typed', () => {
    expect(normalizeBackendUrl('https://serval.example.com/')).toEqual({ ok: true, url: 'https://serval.example.com' });
    expect(normalizeBackendUrl('https://10.0.0.5:8443')).toEqual({ ok: true, url: 'https://10.0.0.5:8443' });
    expect(normalizeBackendUrl('serval.example.com:8443')).toEqual({ ok: true, url: 'https://serval.example.com:8443' });
    expect(normalizeBackendUrl('https://127.0.0.1:8787')).toEqual({ ok: true, url: 'https://127.0.0.1:8787' });
  });

  it('refuses plain http:// to any host off this computer: the key would cross the network in clear', () => {
    for (const typed of [
      'http://serval.example.com',
      'http://10.0.0.5:8787',
      'http://192.168.1.20:8787',
      'http://0.0.0.0:8787', // every interface, not loopback
      'http://[::ffff:127.0.0.1]:8787',
      'http://[fe80::1]:8787',
      'http://127.0.0.1.example.com:8787',
      'http://localhost.example.com',
      'http://my-localhost:8787',
    ]) {
      expect(normalizeBackendUrl(typed), typed).toEqual({ ok: false, code: 'insecure_backend_url' });
    }
  });

  it('refuses what is not a usable URL', () => {
    for (const typed of ['', '   ', 'ftp://127.0.0.1', 'http://user:pass@127.0.0.1:8787', 'http://', 'not a url at all']) {
      expect(normalizeBackendUrl(typed), typed).toEqual({ ok: false, code: 'invalid_backend_url' });
    }
  });

  it('knows loopback when it sees it, and nothing else', () => {
    expect(['127.0.0.1', '127.255.255.254', 'localhost', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '10.0.0.1', 'localhost.', '::1', '127.0.0.1.nip.io', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('judges a stored URL the same way, and a malformed one as unsafe', () => {
    expect(isSecureBackendUrl('http://127.0.0.1:8787')).toBe(true);
    expect(isSecureBackendUrl('https://serval.example.com')).toBe(true);
    expect(isSecureBackendUrl('http://serval.example.com')).toBe(false);
    expect(isSecureBackendUrl('serval.example.com')).toBe(false);
  });
});
