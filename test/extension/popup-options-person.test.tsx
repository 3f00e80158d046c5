/**
 * The popup and the options page say who the browser is paired as (name and role); a viewer is
 * not offered Re-check, and is told why; a 403 from the backend is shown with its message.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ERRORS } from '../../shared/errors.js';
import { createServalBackground } from '../../extension/background/serval-background';
import { createMessageListener } from '../../extension/messaging/router';
import type { PairedPerson, PairingState, Reply, StatusReport } from '../../extension/messaging/protocol';
import { ServalApp } from '../../extension/pages/ServalApp';
import { backgroundUiClient, type UiClient } from '../../extension/pages/ui-client';
import { createFakeBackend } from './fake-backend';
import { application, integration } from './fixtures';
import { EXTENSION, sendFromPopup } from './senders';

const ok = <T,>(data: T): Reply<T> => ({ ok: true, data });

const ana: PairedPerson = { id: 'per_ana', name: 'Ana Lima', role: 'member' };
const bo: PairedPerson = { id: 'per_bo', name: 'Bo Chen', role: 'viewer' };

function pairedState(person: PairedPerson | null): PairingState {
  return {
    paired: true,
    backendUrl: 'http://127.0.0.1:8787',
    device: { id: 'dev_1', name: 'Chrome on Linux' },
    person,
    unpairedReason: null,
    defaultApplicationId: null,
  };
}

function reportFor(person: PairedPerson): StatusReport {
  return {
    backendUrl: 'http://127.0.0.1:8787',
    version: '0.1.0',
    status: {
      device: { id: 'dev_1', name: 'Chrome on Linux' },
      person,
      applications: 1,
      integrations: { connected: 1, needsAttention: 0, rotationDue: 0, expiringSoon: 0 },
    },
    applications: [application({ stripe: integration() })],
    checkedAt: '2026-03-01T12:00:00.000Z',
  };
}

function fakeClient(state: PairingState, report: StatusReport, overrides: Partial<UiClient> = {}): UiClient {
  return {
    getState: vi.fn(async () => ok(state)),
    pair: vi.fn(async () => ok(state)),
    disconnect: vi.fn(async () => ok({ ...state, paired: false, device: null, person: null })),
    getStatus: vi.fn(async () => ok(report)),
    recheck: vi.fn(async () => ({ ok: false as const, error: { code: 'internal_error', message: 'unused' } })),
    setDefaultApplication: vi.fn(async () => ok(state)),
    offerAgainOnActiveTab: vi.fn(async () => ok({ offered: 0 })),
    openOptions: vi.fn(async () => {}),
    watchPairing: vi.fn(() => () => {}),
    ...overrides,
  };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('who the browser is paired as', () => {
  for (const variant of ['popup', 'options'] as const) {
    it(`the ${variant} names the person and their role, beside this device`, async () => {
      render(<ServalApp client={fakeClient(pairedState(ana), reportFor(ana))} variant={variant} />);
      const line = await screen.findByText('Paired as Ana Lima (Member)');
      const backend = screen.getByRole('region', { name: 'Backend' });
      expect(within(backend).getByText('This device: Chrome on Linux')).toBeTruthy();
      expect(backend.contains(line)).toBe(true);
    });
  }

  it('shows the backend’s answer of just now over what the worker had kept', async () => {
    render(<ServalApp client={fakeClient(pairedState(ana), reportFor({ ...ana, role: 'admin' }))} variant="options" />);
    expect(await screen.findByText('Paired as Ana Lima (Admin)')).toBeTruthy();
    expect(screen.queryByText('Paired as Ana Lima (Member)')).toBeNull();
  });

  it('shows what the worker kept while the backend cannot be reached', async () => {
    const client = fakeClient(pairedState(ana), reportFor(ana), {
      getStatus: vi.fn(async () => ({ ok: false as const, error: { code: 'backend_unreachable', message: 'The Serval backend could not be reached.' } })),
    });
    render(<ServalApp client={client} variant="popup" />);
    expect(await screen.findByText('The Serval backend could not be reached.')).toBeTruthy();
    expect(screen.getByText('Paired as Ana Lima (Member)')).toBeTruthy();
  });

  it('says nothing about a person nobody named (a pairing from before people, an older backend)', async () => {
    const client = fakeClient(pairedState(null), reportFor(ana), { getStatus: vi.fn(() => new Promise<never>(() => {})) });
    render(<ServalApp client={client} variant="popup" />);
    expect(await screen.findByText('This device: Chrome on Linux')).toBeTruthy();
    expect(screen.queryByText(/Paired as/)).toBeNull();
  });
});

describe('what the role allows', () => {
  it('a viewer: no Re-check, and the page says why', async () => {
    render(<ServalApp client={fakeClient(pairedState(bo), reportFor(bo))} variant="options" />);
    expect(await screen.findByText('Paired as Bo Chen (Viewer)')).toBeTruthy();
    const applications = screen.getByRole('region', { name: 'Applications' });
    expect(within(applications).getByText('Only a member or above can change applications and test keys.')).toBeTruthy();
    expect(await within(applications).findByRole('heading', { name: 'Billing' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Re-check/ })).toBeNull();
    // Disconnect (revoking one's own device) is anyone's.
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeTruthy();
  });

  it('a member: Re-check; a 403 the backend answers is shown with its message and hint', async () => {
    const message = 'Only a member or above can change applications and test keys.';
    const client = fakeClient(pairedState(ana), reportFor(ana), {
      recheck: vi.fn(async () => ({ ok: false as const, error: { code: 'forbidden', message, hint: ERRORS.forbidden.hint } })),
    });
    render(<ServalApp client={client} variant="popup" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Re-check Billing' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(message);
    expect(alert.textContent).toContain(ERRORS.forbidden.hint);
  });
});

describe('with the real background worker', () => {
  it('pairs, then names the person the backend says the device belongs to; a role changed there shows at the next look', async () => {
    fakeBrowser.reset();
    sendFromPopup();
    const backend = createFakeBackend({ person: ana, applications: [application({ stripe: integration() })] });
    const background = createServalBackground({ fetch: backend.fetch });
    browser.runtime.onMessage.addListener(createMessageListener(background.handlers, EXTENSION));

    render(<ServalApp client={backgroundUiClient} variant="options" />);
    fireEvent.input(await screen.findByLabelText('Pairing code'), { target: { value: 'ABCD-EFGH' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('Paired as Ana Lima (Member)')).toBeTruthy();

    backend.state.person = { ...ana, role: 'viewer' };
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('Paired as Ana Lima (Viewer)')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: /Re-check/ })).toBeNull());
    // Kept for display only: the person's id, name and role beside the pairing, no more.
    const stored = (await fakeBrowser.storage.local.get('pairing')) as { pairing: { person: unknown } };
    expect(stored.pairing.person).toEqual({ id: 'per_ana', name: 'Ana Lima', role: 'viewer' });
  });
});
