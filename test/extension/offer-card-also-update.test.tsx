/** Also update on the offer card: after a send, the other applications holding an older key of the same account get this one too, on a person's click. */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi, type Mock } from 'vitest';
import { OfferCard } from '../../extension/card/OfferCard';
import type { CardClient } from '../../extension/card/card-client';
import { fail, fakeClient, ok, restrictedTest } from './card-fakes';
import { integration, RESTRICTED_TEST, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

describe('Also update: other applications holding an older key of the same account', () => {
  const elsewhere = {
    code: 'account_used_elsewhere',
    message: '2 other applications (Payouts, Reports) still use an older key of Stripe account acct_1Serval in test mode: update them with this key too.',
    details: {
      applications: [
        { id: 'app_2', name: 'Payouts', maskedKey: 'rk_test_…old1' },
        { id: 'app_3', name: 'Reports', maskedKey: 'rk_test_…old2' },
      ],
    },
  };
  const sentWithWarning = () =>
    fakeClient({ sendKey: vi.fn(async () => ok({ integration: integration(), validation: validation({ warnings: [elsewhere] }) })) });

  async function sendOnce(client: CardClient) {
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    return screen.findByRole('button', { name: 'Also update' });
  }

  it('is offered after a send whose answer lists them, naming each with its older masked key', async () => {
    await sendOnce(sentWithWarning());
    expect(screen.getByText(/2 other applications still hold an older key of this account/)).toBeTruthy();
    expect(screen.getByText('Payouts').textContent).toContain('Payouts');
    expect(screen.getByText('rk_test_…old1')).toBeTruthy();
    expect(screen.getByText('Reports')).toBeTruthy();
    expect(screen.getByText('rk_test_…old2')).toBeTruthy();
  });

  it('is not offered when the answer lists no other application', async () => {
    render(<OfferCard offer={restrictedTest} client={fakeClient()} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await screen.findByText(/Connected to Payouts/);
    expect(screen.queryByRole('button', { name: 'Also update' })).toBeNull();
  });

  it('sends the same key to all of them in one request on a person’s click, then says they hold it', async () => {
    const client = sentWithWarning();
    byPerson.click(await sendOnce(client));
    expect(client.rotateKey).toHaveBeenCalledTimes(1);
    expect(client.rotateKey).toHaveBeenCalledWith(['app_2', 'app_3'], RESTRICTED_TEST);
    expect(await screen.findByText(/Also updated Payouts and Reports: they now hold this key/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Also update' })).toBeNull();
  });

  it('does nothing on a script’s click: the person’s click after it is the one that updates', async () => {
    const client = sentWithWarning();
    const button = await sendOnce(client);
    const personActs = vi.fn();
    button.click();
    fireEvent.click(button);
    personActs();
    byPerson.click(button);
    await screen.findByText(/Also updated Payouts and Reports/);
    expect(client.rotateKey).toHaveBeenCalledTimes(1);
    expect((client.rotateKey as Mock).mock.invocationCallOrder[0]).toBeGreaterThan(personActs.mock.invocationCallOrder[0]);
  });

  it('shows a refusal with its hint and lets the person try again (nothing changed anywhere)', async () => {
    const rotateKey = vi
      .fn<CardClient['rotateKey']>()
      .mockResolvedValueOnce(fail('application_not_found', 'No application with that id.', 'Reload the applications and try again.'))
      .mockResolvedValueOnce(
        ok({
          validation: validation(),
          integrations: [integration({ applicationId: 'app_2' }), integration({ applicationId: 'app_3' })],
          replacements: [],
        }),
      );
    const client = { ...sentWithWarning(), rotateKey };
    byPerson.click(await sendOnce(client));
    expect(await screen.findByText('No application with that id.')).toBeTruthy();
    expect(screen.getByText(/Reload the applications and try again/)).toBeTruthy();
    byPerson.click(screen.getByRole('button', { name: 'Also update' }));
    expect(await screen.findByText(/Also updated Payouts and Reports/)).toBeTruthy();
    expect(rotateKey).toHaveBeenCalledTimes(2);
  });

  it('shows an unreachable backend the same way', async () => {
    const client = { ...sentWithWarning(), rotateKey: vi.fn(async () => fail('backend_unreachable', 'The Serval backend cannot be reached.')) };
    byPerson.click(await sendOnce(client));
    expect(await screen.findByText('The Serval backend cannot be reached.')).toBeTruthy();
    expect(screen.queryByText(/Also updated/)).toBeNull();
  });
});
