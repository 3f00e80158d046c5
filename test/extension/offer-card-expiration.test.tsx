/** The offer card with a key from Stripe's Rotate dialog: the Expiration goes with the Send, and the card says what it means for the others. */
import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OfferCard, previousKeyExpiresAt } from '../../extension/card/OfferCard';
import { fakeClient, ok, restrictedTest } from './card-fakes';
import { integration, RESTRICTED_TEST, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

const holders = [
  { id: 'app_3', name: 'Invoices', maskedKey: 'rk_test_…0ld1' },
  { id: 'app_4', name: 'Refunds', maskedKey: 'rk_test_…0ld1' },
];

function expiring(expired: boolean, expiresAt: string) {
  const message = expired
    ? 'The key this one replaced stopped working when it was rotated: 2 applications ("Invoices", "Refunds") have lost their key. Update them with this key.'
    : 'The old key stops working in 23 h; 2 applications ("Invoices", "Refunds") still hold it. Update them with this key too.';
  return ok({
    integration: integration(),
    validation: validation({ warnings: [{ code: 'previous_key_expiring', message, details: { expiresAt, expired, applications: holders } }] }),
  });
}

describe("the Rotate dialog's Expiration on the card", () => {
  it('turns each of Stripe’s choices into when the old key stops working', () => {
    const chosenAt = Date.parse('2026-05-01T10:00:00.000Z');
    const at = (expiration: string) => previousKeyExpiresAt({ expiration, chosenAt });
    expect(['Now', '1 hour', '24 hours', '3 days', '7 days'].map(at)).toEqual([
      '2026-05-01T10:00:00.000Z',
      '2026-05-01T11:00:00.000Z',
      '2026-05-02T10:00:00.000Z',
      '2026-05-04T10:00:00.000Z',
      '2026-05-08T10:00:00.000Z',
    ]);
    expect(at('Custom date')).toBeNull();
    expect(previousKeyExpiresAt(null)).toBeNull();
  });

  it('sends it with the key, says the old key stops working in 23 h and that 2 applications still hold it, and Also update sends it too', async () => {
    const chosenAt = Date.now();
    const expiresAt = new Date(chosenAt + 24 * 3600_000).toISOString();
    const client = fakeClient({ sendKey: vi.fn(async () => expiring(false, expiresAt)) });
    render(<OfferCard offer={{ ...restrictedTest, rotation: { expiration: '24 hours', chosenAt } }} client={client} onDismiss={() => {}} />);
    expect(screen.getByText(/Rotated in Stripe with Expiration 24 hours: the old key keeps working until/)).toBeTruthy();
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST, expiresAt));
    const said = await screen.findByText(/^The old key stops working in 23 h; 2 applications \("Invoices", "Refunds"\) still hold it\./);
    expect(said.className).toContain('old-key-expiring');
    expect(screen.getAllByText(/stops working in 23 h/)).toHaveLength(1); // not repeated among the verdict's warnings
    byPerson.click(screen.getByRole('button', { name: 'Also update' }));
    await waitFor(() => expect(client.rotateKey).toHaveBeenCalledWith(['app_3', 'app_4'], RESTRICTED_TEST, expiresAt));
    expect(await screen.findByText(/Also updated Invoices and Refunds/)).toBeTruthy();
  });

  it('with Now, says those applications have lost their key', async () => {
    const chosenAt = Date.now();
    const client = fakeClient({ sendKey: vi.fn(async () => expiring(true, new Date(chosenAt).toISOString())) });
    render(<OfferCard offer={{ ...restrictedTest, rotation: { expiration: 'Now', chosenAt } }} client={client} onDismiss={() => {}} />);
    expect(screen.getByText(/Expiration Now: the old key stopped working at once/)).toBeTruthy();
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST, new Date(chosenAt).toISOString()));
    expect((await screen.findByText(/have lost their key/)).className).toContain('old-key-expired');
    expect(screen.getByRole('button', { name: 'Also update' })).toBeTruthy();
  });

  it('sends no expiry for a key that did not come from the Rotate dialog', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST));
  });
});
