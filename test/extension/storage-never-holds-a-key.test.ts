/**
 * The promise: the Stripe key lives in memory on its way from the page to the backend, and is
 * never written to extension storage. This runs the whole send flow — key revealed in the
 * create-key modal, card injected, application chosen, Send to Serval, verdict — and then reads
 * every storage area, every request and every console line.
 */
import { within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { CARD_HOST_TAG } from '../../extension/card/card-api';
import { resetDashboard, startDashboard, tearDownDashboard } from './dashboard-harness';
import { application, RESTRICTED_LIVE, SECRET_TEST } from './fixtures';
import { byPerson } from './person';

const host = () => document.querySelector(CARD_HOST_TAG) as HTMLElement | null;
/** The card's frames, as the harness renders them (happy-dom loads no frame). */
const inCard = () => within(document.getElementById('card-frames')!);

/** Any trace of the key: whole, or a run of its secret part long enough to matter. */
function tracesOf(key: string, text: string): string[] {
  const body = key.slice(8);
  const pieces = [key, body, body.slice(0, 24), body.slice(-24)];
  return pieces.filter((piece) => text.includes(piece));
}

async function everythingStored(): Promise<string> {
  const areas = await Promise.all([
    fakeBrowser.storage.local.get(null),
    fakeBrowser.storage.session.get(null),
    fakeBrowser.storage.sync.get(null),
    fakeBrowser.storage.managed.get(null),
  ]);
  return JSON.stringify(areas);
}

let stop: (() => void) | null = null;
beforeEach(() => resetDashboard('<main id="main"><h1>API keys</h1></main><div id="modal-root"></div>'));
afterEach(() => {
  tearDownDashboard(stop);
  stop = null;
});

describe('extension storage never holds a Stripe key', () => {
  it('after a full send flow from the create-key modal', async () => {
    const logged: unknown[][] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
    const dashboard = await startDashboard('https://dashboard.stripe.com/apikeys', { applications: [application({ name: 'Billing' })] });
    stop = dashboard.stop;
    await dashboard.pair();
    expect(await everythingStored()).toContain('svl_test_token_0123456789'); // storage is in use…

    // The dashboard's "Create restricted key" modal: an empty readonly field, filled by script.
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    const field = document.createElement('input');
    field.readOnly = true;
    field.placeholder = 'Creating…';
    dialog.append(field);
    document.getElementById('modal-root')!.append(dialog);
    await new Promise((resolve) => setTimeout(resolve, 30));
    field.value = RESTRICTED_LIVE;
    field.placeholder = '';

    await vi.waitFor(() => expect(host()).not.toBeNull());
    expect(inCard().getByText(/Live mode: processes real payments/)).toBeTruthy();
    const picker = (await inCard().findByRole('combobox', { name: 'Application' })) as HTMLSelectElement;
    expect(picker.value).toBe('app_1');
    byPerson.click(inCard().getByRole('button', { name: 'Send to Serval' }));
    expect(await inCard().findByText(/Connected to Billing/)).toBeTruthy();

    // Let the refresh that follows a send (status poll, badge) finish too.
    await vi.waitFor(async () => expect(await fakeBrowser.storage.local.get('lastStatus')).toMatchObject({ lastStatus: { connected: 1 } }));

    // …and none of it is the key.
    expect(tracesOf(RESTRICTED_LIVE, await everythingStored())).toEqual([]);

    // The key left the extension exactly once, in the PUT to the backend.
    const carrying = dashboard.backend.state.requests.filter((r) => tracesOf(RESTRICTED_LIVE, JSON.stringify(r)).length > 0);
    expect(carrying.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['PUT /api/applications/app_1/integrations/stripe']);

    // Not logged either, and not written into the page outside the dashboard's own field.
    expect(tracesOf(RESTRICTED_LIVE, JSON.stringify(logged))).toEqual([]);
    expect(document.getElementById('card-frames')!.innerHTML).not.toContain(RESTRICTED_LIVE.slice(8, 32));
    expect(host()!.outerHTML).not.toContain(RESTRICTED_LIVE.slice(8, 32));
  });

  it('after a refused key and a backend that was down', async () => {
    const dashboard = await startDashboard('https://dashboard.stripe.com/test/apikeys', { applications: [application()] });
    stop = dashboard.stop;
    await dashboard.pair();
    dashboard.backend.state.failWith = 'network';
    const code = document.createElement('code');
    code.textContent = SECRET_TEST;
    document.getElementById('main')!.append(code);
    await vi.waitFor(() => expect(host()).not.toBeNull());
    await inCard().findByText('The Serval backend could not be reached.');
    dashboard.backend.state.failWith = null;
    inCard().getByRole('button', { name: 'Try again' }).click();
    const send = await inCard().findByRole('button', { name: 'Send to Serval' });
    dashboard.backend.state.failWith = { status: 422, code: 'invalid_api_key' };
    byPerson.click(send);
    expect(await inCard().findByText('Stripe does not recognise this key.')).toBeTruthy();
    expect(tracesOf(SECRET_TEST, await everythingStored())).toEqual([]);
  });
});
