/** The popup and options page wired to the real background worker (WXT's fake browser, a fake backend at fetch): pairing, access to a backend off loopback, revocation. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createServalBackground } from '../../extension/background/serval-background';
import { createMessageListener } from '../../extension/messaging/router';
import { pairingItem, unpairedReasonItem } from '../../extension/storage';
import { ServalApp } from '../../extension/pages/ServalApp';
import { backgroundUiClient } from '../../extension/pages/ui-client';
import { createFakeBackend } from './fake-backend';
import { application, integration } from './fixtures';
import { EXTENSION, sendFromPopup } from './senders';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('with the real background worker', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    sendFromPopup();
  });

  function wire(applications = [application({ stripe: integration() })]) {
    const backend = createFakeBackend({ applications });
    const background = createServalBackground({ fetch: backend.fetch });
    browser.runtime.onMessage.addListener(createMessageListener(background.handlers, EXTENSION));
    return backend;
  }

  it('pairs from the form and shows the status from the backend', async () => {
    wire();
    render(<ServalApp client={backgroundUiClient} variant="options" />);
    fireEvent.input(await screen.findByLabelText('Pairing code'), { target: { value: 'ABCD-EFGH' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('Reachable · version 0.1.0')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Re-check Billing' })).toBeTruthy();
  });

  it('asks the browser for access to a backend off loopback at the Connect click, and says so when refused', async () => {
    const backend = wire();
    const request = vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValue(false as never);
    render(<ServalApp client={backgroundUiClient} variant="options" />);
    fireEvent.input(await screen.findByLabelText('Backend URL'), { target: { value: 'https://serval.internal.example:8443' } });
    fireEvent.input(screen.getByLabelText('Pairing code'), { target: { value: 'ABCD-EFGH' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Serval was not allowed to reach that backend.');
    expect(request).toHaveBeenCalledWith({ origins: ['https://serval.internal.example/*'] });
    expect(backend.state.requests).toHaveLength(0);
  });

  it('refuses plain http:// off this computer in the client too, without asking the browser for access', async () => {
    const backend = wire();
    const request = vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValue(true as never);
    expect(await backgroundUiClient.pair('http://serval.internal.example:8787', 'ABCD-EFGH')).toMatchObject({
      ok: false,
      error: { code: 'insecure_backend_url' },
    });
    expect(request).not.toHaveBeenCalled();
    expect(backend.state.requests).toHaveLength(0);
  });

  it('goes back to pairing when the worker learns the device was revoked', async () => {
    wire();
    await pairingItem.setValue({ backendUrl: 'http://127.0.0.1:8787', token: 'svl_test_token_0123456789', device: { id: 'dev_1', name: 'x' }, pairedAt: '' });
    render(<ServalApp client={backgroundUiClient} variant="popup" />);
    expect(await screen.findByRole('button', { name: 'Disconnect' })).toBeTruthy();
    await unpairedReasonItem.setValue('revoked');
    await pairingItem.setValue(null);
    expect(await screen.findByText(/pairing was revoked on the backend/)).toBeTruthy();
  });
});
