/**
 * The offer card and the role of the person the browser is paired as: a member with a live key,
 * or a viewer with any key, is told who can send it instead of being offered a Send the backend
 * would refuse; a refusal the card did not foresee (a role changed meanwhile) is shown as the
 * backend said it.
 */
import { cleanup, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERRORS } from '../../shared/errors.js';
import { OfferCard } from '../../extension/card/OfferCard';
import type { PairedPerson } from '../../extension/messaging/protocol';
import { fail, fakeClient, member, ok, owner, restrictedLive, restrictedTest, viewer } from './card-fakes';
import { application, integration, RESTRICTED_TEST, SECRET_LIVE, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

const LIVE_REFUSAL = 'Only an admin can send live keys.';
const CHANGE_REFUSAL = 'Only a member or above can change applications and test keys.';
const secretLive = { key: SECRET_LIVE, keyType: 'secret' as const, mode: 'live' as const, maskedKey: 'sk_live_…8Hn0' };

function pairedAs(person: PairedPerson | null) {
  return fakeClient({
    listApplications: vi.fn(async () =>
      ok({ applications: [application(), application({ id: 'app_2', name: 'Payouts' })], defaultApplicationId: 'app_2', person }),
    ),
  });
}

function card() {
  return screen.getByRole('region', { name: /Serval: send this Stripe key/ });
}

describe('what the card offers, by role', () => {
  it('a member with a live key: "Only an admin can send live keys", in the card’s status, and no Send, no picker', async () => {
    const client = pairedAs(member);
    render(<OfferCard offer={restrictedLive} client={client} onDismiss={() => {}} />);
    const refusal = await screen.findByText(LIVE_REFUSAL);
    // Inside the card's live region: announced when it replaces "Loading…".
    expect(refusal.closest('[role="status"]')).not.toBeNull();
    expect(screen.getByText('This browser is paired with Serval as a member.')).toBeTruthy();
    // Not the person's name: the Stripe page's scripts can read the card.
    expect(card().textContent).not.toContain('Ana Lima');
    expect(screen.queryByRole('button', { name: /Send to Serval/ })).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Application' })).toBeNull();
    expect(within(card()).getByText('Live mode')).toBeTruthy(); // still says what the key is
    expect(client.sendKey).not.toHaveBeenCalled();
    expect(client.createApplication).not.toHaveBeenCalled();
  });

  it('a member with a live secret key: the same, beside the restricted-key advice', async () => {
    render(<OfferCard offer={secretLive} client={pairedAs(member)} onDismiss={() => {}} />);
    expect(await screen.findByText(LIVE_REFUSAL)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Create a restricted key for Serval' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Send to Serval/ })).toBeNull();
  });

  it('a member with a test key: Send, as always, and it sends', async () => {
    const client = pairedAs(member);
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Connected to Payouts/)).toBeTruthy();
    expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST);
    expect(screen.queryByText(LIVE_REFUSAL)).toBeNull();
  });

  it('a viewer with a test key: "Only a member or above can change applications and test keys", no Send', async () => {
    render(<OfferCard offer={restrictedTest} client={pairedAs(viewer)} onDismiss={() => {}} />);
    expect(await screen.findByText(CHANGE_REFUSAL)).toBeTruthy();
    expect(screen.getByText('This browser is paired with Serval as a viewer.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Send to Serval/ })).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Application' })).toBeNull();
  });

  it('a viewer with a live key: told that only an admin can send it', async () => {
    render(<OfferCard offer={restrictedLive} client={pairedAs(viewer)} onDismiss={() => {}} />);
    expect(await screen.findByText(LIVE_REFUSAL)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Send to Serval/ })).toBeNull();
  });

  it('an admin with a live key: Send', async () => {
    render(<OfferCard offer={restrictedLive} client={pairedAs(owner)} onDismiss={() => {}} />);
    expect(await screen.findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
    expect(screen.queryByText(LIVE_REFUSAL)).toBeNull();
  });

  it('nobody named (a backend that did not say): Send, and the backend decides', async () => {
    render(<OfferCard offer={restrictedLive} client={pairedAs(null)} onDismiss={() => {}} />);
    expect(await screen.findByRole('button', { name: 'Send to Serval' })).toBeTruthy();
  });

  it('the refusal can still be closed, with Escape too', async () => {
    const onDismiss = vi.fn();
    render(<OfferCard offer={restrictedLive} client={pairedAs(member)} onDismiss={onDismiss} />);
    await screen.findByText(LIVE_REFUSAL);
    byPerson.click(screen.getByRole('button', { name: 'Close' }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });
});

describe('a 403 forbidden the card did not foresee', () => {
  const forbidden = (message: string) => fail('forbidden', message, ERRORS.forbidden.hint);

  it('from Send (the role changed after the card loaded): its message and hint, in the card', async () => {
    const client = fakeClient({ sendKey: vi.fn(async () => forbidden(LIVE_REFUSAL)) });
    render(<OfferCard offer={restrictedLive} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(LIVE_REFUSAL)).toBeTruthy();
    expect(screen.getByText(ERRORS.forbidden.hint)).toBeTruthy();
    // Not mistaken for a lost pairing.
    expect(screen.queryByRole('button', { name: 'Open Serval options' })).toBeNull();
  });

  it('from New application: its message, the typed name kept', async () => {
    const client = fakeClient({
      listApplications: vi.fn(async () => ok({ applications: [], defaultApplicationId: null, person: member })),
      createApplication: vi.fn(async () => forbidden(CHANGE_REFUSAL)),
    });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.input(await screen.findByLabelText('Name of the new application'), { target: { value: 'Ledger' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(CHANGE_REFUSAL)).toBeTruthy();
    expect((screen.getByLabelText('Name of the new application') as HTMLInputElement).value).toBe('Ledger');
    expect(client.sendKey).not.toHaveBeenCalled();
  });

  it('from Also update: its message beside the button', async () => {
    const elsewhere = {
      code: 'account_used_elsewhere',
      message: 'Another application (Reports) still uses an older key of this account.',
      details: { applications: [{ id: 'app_3', name: 'Reports', maskedKey: 'rk_live_…old1' }] },
    };
    const client = fakeClient({
      sendKey: vi.fn(async () => ok({ integration: integration({ mode: 'live' }), validation: validation({ mode: 'live', warnings: [elsewhere] }) })),
      rotateKey: vi.fn(async () => forbidden(LIVE_REFUSAL)),
    });
    render(<OfferCard offer={restrictedLive} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    byPerson.click(await screen.findByRole('button', { name: 'Also update' }));
    expect(await screen.findByText(LIVE_REFUSAL)).toBeTruthy();
    expect(screen.getByText(ERRORS.forbidden.hint)).toBeTruthy();
  });
});
