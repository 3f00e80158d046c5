/** The offer card as a person meets it: what it says, what the buttons do, each verdict. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { missingPermissions, allPermissions } from '../../shared/permissions.js';
import { OfferCard } from '../../extension/card/OfferCard';
import type { CardClient } from '../../extension/card/card-client';
import type { Reply } from '../../extension/messaging/protocol';
import { effectsHaveRun, fail, fakeClient, ok, restrictedLive, restrictedTest } from './card-fakes';
import { application, integration, RESTRICTED_TEST, SECRET_TEST, validation } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

describe('the offer card', () => {
  it('says what the key is: type, masked key and mode, with the default application pre-selected', async () => {
    render(<OfferCard offer={restrictedTest} client={fakeClient()} onDismiss={() => {}} />);
    expect(screen.getByText('Restricted key')).toBeTruthy();
    expect(screen.getByText('rk_test_…8Hn0')).toBeTruthy();
    expect(screen.getByText('Test mode')).toBeTruthy();
    const picker = (await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement;
    expect(picker.value).toBe('app_2');
    expect([...picker.options].map((o) => o.text)).toEqual(['Billing', 'Payouts', 'New application…']);
    expect(screen.getByRole('button', { name: 'Send to Serval' })).toBeTruthy();
    expect(screen.queryByText(/processes real payments/)).toBeNull();
  });

  it('never shows the full key', () => {
    const { container } = render(<OfferCard offer={restrictedTest} client={fakeClient()} onDismiss={() => {}} />);
    expect(container.textContent).not.toContain(RESTRICTED_TEST.slice(8, 40));
  });

  it('marks a live key in red: it processes real payments', () => {
    render(<OfferCard offer={restrictedLive} client={fakeClient()} onDismiss={() => {}} />);
    expect(screen.getByText('Live mode').className).toContain('mode-live');
    expect(screen.getByText(/Live mode: processes real payments/).className).toContain('live-warning');
  });

  it('recommends a restricted key when the key is a secret key, with the pre-filled create link', () => {
    render(
      <OfferCard offer={{ ...restrictedTest, key: SECRET_TEST, keyType: 'secret', maskedKey: 'sk_test_…8Hn0' }} client={fakeClient()} onDismiss={() => {}} />,
    );
    const link = screen.getByRole('link', { name: 'Create a restricted key for Serval' }) as HTMLAnchorElement;
    expect(link.href).toContain('https://dashboard.stripe.com/test/apikeys/create?name=Serval');
    expect(link.href).toContain('permissions[]=rak_balance_transaction_source_read');
  });

  it('sends the key to the chosen application, says it is checking, then shows "connected" with the permissions', async () => {
    let answer!: (reply: Reply<never>) => void;
    const client = fakeClient({ sendKey: vi.fn(() => new Promise<Reply<never>>((resolve) => (answer = resolve))) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.change(await screen.findByRole('combobox', { name: 'Application' }), { target: { value: 'app_1' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Sending to Billing and checking the key with Stripe/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send to Serval' }) as HTMLButtonElement).disabled).toBe(true);
    expect(client.sendKey).toHaveBeenCalledWith('app_1', RESTRICTED_TEST);
    answer(ok({ integration: integration(), validation: validation() }) as Reply<never>);
    expect(await screen.findByText(/Connected to Billing/)).toBeTruthy();
    expect(screen.getByText(/Charges: Read, Customers: Read, Customers: Write, Balance: Read, Balance Transactions: Read/)).toBeTruthy();
  });

  it('lists missing permissions by their Stripe names, with links to fix them', async () => {
    const granted = { ...allPermissions(true), balance_read: false, customers_write: false };
    const client = fakeClient({
      sendKey: vi.fn(async () =>
        ok({
          integration: integration({ status: 'missing_permissions', permissions: granted, missingPermissions: missingPermissions(granted) }),
          validation: validation({ permissions: granted, missingPermissions: missingPermissions(granted) }),
        }),
      ),
    });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/missing permissions Serval needs/)).toBeTruthy();
    expect(screen.getByText('Customers: Write')).toBeTruthy();
    expect(screen.getByText('Balance: Read')).toBeTruthy();
    expect((screen.getByRole('link', { name: "Edit the key's permissions in Stripe" }) as HTMLAnchorElement).href).toBe(
      'https://dashboard.stripe.com/test/apikeys',
    );
    expect((screen.getByRole('link', { name: "create a restricted key with Serval's permissions" }) as HTMLAnchorElement).href).toContain(
      'permissions[]=rak_customer_write',
    );
  });

  it('shows the backend’s refusal with the integration guide’s hint', async () => {
    const client = fakeClient({ sendKey: vi.fn(async () => fail('invalid_api_key', 'Stripe does not recognise this key.')) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText('Stripe does not recognise this key.')).toBeTruthy();
    expect(screen.getByText(/Verify the key hasn't been deleted or rotated/)).toBeTruthy();
  });

  it('can try again when the backend was unreachable, while the page is open', async () => {
    const sendKey = vi
      .fn<CardClient['sendKey']>()
      .mockResolvedValueOnce(fail('backend_unreachable', 'The Serval backend could not be reached.'))
      .mockResolvedValueOnce(ok({ integration: integration(), validation: validation() }));
    render(<OfferCard offer={restrictedTest} client={fakeClient({ sendKey })} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText('The Serval backend could not be reached.')).toBeTruthy();
    expect(screen.getByText(/Check that it is running/)).toBeTruthy();
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval again' }));
    expect(await screen.findByText(/Connected to Payouts/)).toBeTruthy();
    expect(sendKey).toHaveBeenCalledTimes(2);
  });

  it('retries loading the applications when the backend was down', async () => {
    const listApplications = vi
      .fn<CardClient['listApplications']>()
      .mockResolvedValueOnce(fail('backend_unreachable', 'The Serval backend could not be reached.'))
      .mockResolvedValueOnce(ok({ applications: [application()], defaultApplicationId: null, person: null }));
    render(<OfferCard offer={restrictedTest} client={fakeClient({ listApplications })} onDismiss={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(((await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement).value).toBe('app_1');
  });

  it('creates a new application and sends the key to it', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.change(await screen.findByRole('combobox', { name: 'Application' }), { target: { value: '__new__' } });
    byPerson.input(screen.getByRole('textbox', { name: 'Name of the new application' }), { target: { value: '  Checkout  ' } });
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText(/Connected to Checkout/)).toBeTruthy();
    expect(client.createApplication).toHaveBeenCalledWith('Checkout');
    expect(client.sendKey).toHaveBeenCalledWith('app_new', RESTRICTED_TEST);
  });

  it('offers to create the first application when there is none', async () => {
    const client = fakeClient({ listApplications: vi.fn(async () => ok({ applications: [], defaultApplicationId: null, person: null })) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    expect(((await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement).value).toBe('__new__');
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText('Give the new application a name first.')).toBeTruthy();
    expect(client.sendKey).not.toHaveBeenCalled();
  });

  it('says when an application already has a key that this one would replace', async () => {
    const client = fakeClient({
      listApplications: vi.fn(async () =>
        ok({
          applications: [application({ stripe: integration({ maskedKey: 'rk_test_…Old1', status: 'invalid' }) })],
          defaultApplicationId: null,
          person: null,
        }),
      ),
    });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    expect(await screen.findByText(/Replaces its current key/)).toBeTruthy();
    expect(screen.getByText('rk_test_…Old1')).toBeTruthy();
  });

  it('when not paired, says so and opens the options page', async () => {
    const client = fakeClient({ listApplications: vi.fn(async () => fail('not_paired', 'This browser is not paired with a Serval backend yet.')) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    expect(await screen.findByText('Serval is not paired with this browser yet.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send to Serval' })).toBeNull();
    byPerson.click(screen.getByRole('button', { name: 'Open Serval options' }));
    expect(client.openOptions).toHaveBeenCalled();
  });

  it('when the pairing was revoked, says that', async () => {
    const client = fakeClient({ sendKey: vi.fn(async () => fail('unauthorized', 'This device is not paired, or its pairing was revoked.')) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    expect(await screen.findByText("This browser's pairing with Serval was revoked.")).toBeTruthy();
  });

  it('is dismissed with its button or with Escape, without the Escape reaching the page', async () => {
    const onDismiss = vi.fn();
    const pageKeydown = vi.fn();
    document.addEventListener('keydown', pageKeydown);
    render(<OfferCard offer={restrictedTest} client={fakeClient()} onDismiss={onDismiss} />);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(await screen.findByRole('combobox', { name: 'Application' }), { key: 'Escape' });
    expect(onDismiss).toHaveBeenCalledTimes(2);
    expect(pageKeydown).not.toHaveBeenCalled();
    document.removeEventListener('keydown', pageKeydown);
  });

  it('is usable from the keyboard: a form whose controls are all focusable, with Send as its submit button (Enter clicks it)', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const picker = await screen.findByRole('combobox', { name: 'Application' });
    const send = screen.getByRole('button', { name: 'Send to Serval' }) as HTMLButtonElement;
    for (const control of [screen.getByRole('button', { name: 'Close' }), picker, send]) {
      expect((control as HTMLElement).tabIndex).toBe(0);
    }
    // Enter or Space on the button, and Enter in the name field (implicit submission), are the
    // browser's trusted click on the form's submit button (so Chromium 156 does, as checked by hand).
    expect(send.type).toBe('submit');
    expect(send.form).toBe(picker.closest('form'));
    byPerson.click(send);
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST));
  });

  it('keeps keyboard focus in the card when the verdict replaces the Send button', async () => {
    render(<OfferCard offer={restrictedTest} client={fakeClient()} onDismiss={() => {}} />);
    const send = (await screen.findByRole('button', { name: 'Send to Serval' })) as HTMLButtonElement;
    send.focus();
    byPerson.click(send);
    await screen.findByText(/Connected to Payouts/);
    const status = screen.getByRole('status');
    await waitFor(() => expect(document.activeElement).toBe(status));
    expect(status.tabIndex).toBe(-1);
  });

  it('keeps keyboard focus in the card when the send fails', async () => {
    const client = fakeClient({ sendKey: vi.fn(async () => fail('invalid_api_key', 'Stripe does not recognise this key.')) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const send = (await screen.findByRole('button', { name: 'Send to Serval' })) as HTMLButtonElement;
    send.focus();
    byPerson.click(send);
    await screen.findByText('Stripe does not recognise this key.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('status')));
  });

  it('leaves focus alone when the person has moved on to the page while the key was checked', async () => {
    let answer!: (reply: Reply<never>) => void;
    const client = fakeClient({ sendKey: vi.fn(() => new Promise<Reply<never>>((resolve) => (answer = resolve))) });
    const pageField = document.body.appendChild(document.createElement('input'));
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await screen.findByText(/Sending to Payouts/);
    pageField.focus();
    answer(ok({ integration: integration(), validation: validation() }) as Reply<never>);
    await screen.findByText(/Connected to Payouts/);
    await effectsHaveRun(); // the card's focus effect among them
    expect(document.activeElement).toBe(pageField);
    pageField.remove();
  });
});
