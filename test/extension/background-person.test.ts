/**
 * The background worker and the person a device belongs to: it keeps their name and role beside
 * the pairing (for display, never a credential), hands them to the card with the applications,
 * and passes the backend's 403 `forbidden` through unchanged, pairing kept.
 */
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/errors.js';
import { sendToBackground } from '../../extension/messaging/send';
import { pairingItem, unpairedReasonItem } from '../../extension/storage';
import { pair, setup, useFakeBrowser } from './background-harness';
import { application, integration, RESTRICTED_LIVE, RESTRICTED_TEST, SECRET_LIVE } from './fixtures';

useFakeBrowser();

const ana = { id: 'per_ana', name: 'Ana Lima', role: 'member' as const };

describe('who the browser is paired as', () => {
  it('is asked right after pairing, kept beside the pairing and reported in the state: id, name, role and nothing else', async () => {
    setup({ person: ana });
    const reply = await pair();
    expect(reply).toMatchObject({ ok: true, data: { paired: true, person: ana } });
    expect((await pairingItem.getValue())?.person).toEqual(ana);
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { person: ana } });
  });

  it('follows the backend: a role changed there shows at the next status, in the stored pairing too', async () => {
    const { backend, background } = setup({ person: ana });
    await pair();
    backend.state.person = { ...ana, name: 'Ana L.', role: 'admin' };
    await background.refreshStatus();
    expect((await pairingItem.getValue())?.person).toEqual({ id: 'per_ana', name: 'Ana L.', role: 'admin' });

    backend.state.person = { ...ana, role: 'viewer' };
    const status = await sendToBackground('serval:get-status');
    expect(status).toMatchObject({ ok: true, data: { status: { person: { role: 'viewer' } } } });
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { person: { role: 'viewer' } } });
  });

  it('comes with the applications the card lists, asked of the backend then and there', async () => {
    const { backend } = setup({ person: ana, applications: [application()] });
    await pair();
    backend.state.person = { ...ana, role: 'viewer' };
    backend.state.requests = [];
    const reply = await sendToBackground('serval:list-applications');
    expect(reply).toEqual({ ok: true, data: { applications: [application()], defaultApplicationId: null, person: { ...ana, role: 'viewer' } } });
    expect(backend.state.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`).sort()).toEqual(['GET /api/applications', 'GET /api/status']);
  });

  it('is null for a pairing stored before people existed, until the backend says', async () => {
    const { background } = setup({ person: ana });
    await pairingItem.setValue({ backendUrl: 'http://127.0.0.1:8787', token: 'svl_test_token_0123456789', device: { id: 'dev_1', name: 'x' }, pairedAt: '' });
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { paired: true, person: null } });
    await background.refreshStatus();
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { person: ana } });
  });

  it('is forgotten with the pairing: Disconnect, then another pairing as someone else', async () => {
    const { backend } = setup({ person: ana });
    await pair();
    await sendToBackground('serval:disconnect');
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { paired: false, person: null } });
    backend.state.person = { id: 'per_owner', name: 'Owner', role: 'admin' };
    expect(await pair()).toMatchObject({ ok: true, data: { person: { name: 'Owner', role: 'admin' } } });
  });
});

describe('a 403 forbidden from the backend', () => {
  const forbidden = (message: string) => ({ ok: false, error: { code: 'forbidden', message, hint: ERRORS.forbidden.hint } });

  it('reaches Send unchanged, with its message and hint; the pairing stays', async () => {
    const { backend } = setup({ person: ana, applications: [application()] });
    await pair();
    expect(await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_LIVE })).toEqual(
      forbidden('Only an admin can send live keys.'),
    );
    expect(backend.state.applications[0].stripe).toBeNull();
    expect(await pairingItem.getValue()).not.toBeNull();
    expect(await unpairedReasonItem.getValue()).toBeNull();
    // A test key, for the same member, goes through.
    expect(await sendToBackground('serval:send-key', { applicationId: 'app_1', apiKey: RESTRICTED_TEST })).toMatchObject({ ok: true });
  });

  it('reaches Also update unchanged', async () => {
    setup({ person: ana, applications: [application(), application({ id: 'app_2', name: 'Payouts' })] });
    await pair();
    expect(await sendToBackground('serval:rotate-key', { applicationIds: ['app_1', 'app_2'], apiKey: SECRET_LIVE })).toEqual(
      forbidden('Only an admin can send live keys.'),
    );
  });

  it("reaches a viewer's Re-check and New application unchanged", async () => {
    const { backend } = setup({ person: { ...ana, role: 'viewer' }, applications: [application({ stripe: integration() })] });
    await pair();
    const message = 'Only a member or above can change applications and test keys.';
    expect(await sendToBackground('serval:recheck', { applicationId: 'app_1' })).toEqual(forbidden(message));
    expect(await sendToBackground('serval:create-application', { name: 'Ledger' })).toEqual(forbidden(message));
    expect(backend.state.applications).toHaveLength(1);
    expect(await sendToBackground('serval:get-state')).toMatchObject({ ok: true, data: { paired: true, unpairedReason: null } });
  });
});
