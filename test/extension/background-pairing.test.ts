/** The background worker's pairing: the Backend URL and code, where it may send them, revocation and Disconnect. */
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { STATUS_ALARM } from '../../extension/background/serval-background';
import { sendToBackground } from '../../extension/messaging/send';
import { pairingItem, unpairedReasonItem } from '../../extension/storage';
import { pair, setup, useFakeBrowser } from './background-harness';
import { application, RESTRICTED_TEST } from './fixtures';

useFakeBrowser();

describe('pairing', () => {
  it('pairs with the backend URL and code, keeps the token in storage and schedules the status poll', async () => {
    const { backend } = setup();
    const reply = await pair('127.0.0.1:8787/', 'abcd-efgh');
    expect(reply).toMatchObject({ ok: true, data: { paired: true, backendUrl: 'http://127.0.0.1:8787', device: { id: 'dev_1' } } });
    expect(backend.state.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:8787/api/pair',
      body: { code: 'abcd-efgh', deviceName: 'Chrome on Linux' },
    });
    expect(backend.state.requests[0].headers.authorization).toBeUndefined();
    expect(await pairingItem.getValue()).toMatchObject({ token: 'svl_test_token_0123456789', device: { id: 'dev_1' } });
    expect(await fakeBrowser.alarms.get(STATUS_ALARM)).toMatchObject({ periodInMinutes: 1 });
  });

  it('reports a wrong pairing code with the catalogue hint, and stores nothing', async () => {
    setup();
    const reply = await pair('http://127.0.0.1:8787', 'WXYZ-0000');
    expect(reply).toMatchObject({ ok: false, error: { code: 'pairing_code_invalid', hint: expect.stringContaining('npm run pair') } });
    expect(await pairingItem.getValue()).toBeNull();
  });

  it('refuses a Backend URL that is not one', async () => {
    const { backend } = setup();
    expect(await pair('ftp://example.com', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_backend_url' } });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('refuses plain http:// to a backend off this computer, before any request and before asking for access', async () => {
    const { backend } = setup();
    const contains = vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(true as never);
    for (const backendUrl of ['http://serval.example.com', 'http://192.168.1.20:8787']) {
      const reply = await pair(backendUrl);
      expect(reply, backendUrl).toMatchObject({ ok: false, error: { code: 'insecure_backend_url', message: expect.stringContaining('https://') } });
    }
    expect(contains).not.toHaveBeenCalled();
    expect(backend.state.requests).toHaveLength(0);
    expect(await pairingItem.getValue()).toBeNull();
    // Loopback keeps http://.
    expect(await pair('http://[::1]:8787')).toMatchObject({ ok: true, data: { paired: true, backendUrl: 'http://[::1]:8787' } });
  });

  it('never sends the token or a key to a plain http:// backend off this computer, even one found in storage', async () => {
    const { backend, background } = setup({ applications: [application()] });
    const token = 'svl_test_token_0123456789';
    await pairingItem.setValue({ backendUrl: 'http://serval.example.com', token, device: { id: 'dev_1', name: 'x' }, pairedAt: '' });
    const insecure = { ok: false, error: { code: 'insecure_backend_url' } };
    expect(await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST })).toMatchObject(insecure);
    expect(await sendToBackground('serval:list-applications')).toMatchObject(insecure);
    expect(await sendToBackground('serval:create-application', { name: 'Checkout' })).toMatchObject(insecure);
    expect(await sendToBackground('serval:get-status')).toMatchObject(insecure);
    expect(await sendToBackground('serval:recheck', { applicationId: 'app_1' })).toMatchObject(insecure);
    expect(await background.refreshStatus()).toMatchObject(insecure);
    // Disconnecting forgets the pairing without revoking over http:// (that would send the token).
    expect(await sendToBackground('serval:disconnect')).toMatchObject({ ok: true, data: { paired: false } });
    expect(backend.state.requests).toEqual([]);
  });

  it('does not call a backend off loopback unless the browser granted access to it', async () => {
    const { backend } = setup();
    const contains = vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false as never);
    expect(await pair('https://serval.example.com')).toMatchObject({ ok: false, error: { code: 'host_permission_denied' } });
    expect(contains).toHaveBeenCalledWith({ origins: ['https://serval.example.com/*'] });
    expect(backend.state.requests).toHaveLength(0);

    contains.mockResolvedValue(true as never);
    expect(await pair('https://serval.example.com')).toMatchObject({ ok: true, data: { paired: true } });
    expect(backend.state.requests[0].url).toBe('https://serval.example.com/api/pair');
  });

  it('treats a 401 as a revoked device: forgets the token and goes back to pairing', async () => {
    const { backend } = setup({ applications: [application()] });
    await pair();
    backend.state.revoked = true;
    const reply = await sendToBackground('serval:list-applications');
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized', hint: expect.stringContaining('Pair again') } });
    expect(await pairingItem.getValue()).toBeNull();
    expect(await unpairedReasonItem.getValue()).toBe('revoked');
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { paired: false, unpairedReason: 'revoked' } });
  });

  it('disconnects: revokes this device on the backend and forgets the pairing, keeping the URL', async () => {
    const { backend } = setup();
    await pair('http://localhost:9999');
    const reply = await sendToBackground('serval:disconnect');
    expect(reply).toMatchObject({ ok: true, data: { paired: false, backendUrl: 'http://localhost:9999', unpairedReason: null } });
    expect(backend.state.requests.at(-1)).toMatchObject({ method: 'DELETE', url: 'http://localhost:9999/api/devices/dev_1' });
    expect(await pairingItem.getValue()).toBeNull();
  });

  it('asks to pair when an unpaired extension is asked for applications', async () => {
    setup();
    expect(await sendToBackground('serval:list-applications')).toMatchObject({ ok: false, error: { code: 'not_paired' } });
  });
});
