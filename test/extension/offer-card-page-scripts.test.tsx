/**
 * What a script on the Stripe page can do to the offer card, whose shadow root is open: nothing
 * that sends the key or chooses where it goes. Each test lets the script try, then has a person
 * do the same: the person's action reaches the client, and it must be the only thing that did.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { OfferCard } from '../../extension/card/OfferCard';
import { fail, fakeClient, restrictedTest } from './card-fakes';
import { RESTRICTED_TEST } from './fixtures';
import { byPerson } from './person';

afterEach(cleanup);

/** Marks the moment a person acts; vitest orders every mock call, this one included. */
let personActs: Mock<() => void>;
beforeEach(() => {
  personActs = vi.fn();
});
const calledAfterThePerson = (method: unknown) => (method as Mock).mock.invocationCallOrder[0] > personActs.mock.invocationCallOrder[0];

describe('what a script on the Stripe page can do to the card (its shadow root is open)', () => {
  it('cannot send: not by clicking Send, not by submitting the form, not on Enter', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const send = (await screen.findByRole('button', { name: 'Send to Serval' })) as HTMLButtonElement;
    send.click();
    fireEvent.click(send);
    send.form!.requestSubmit();
    send.form!.requestSubmit(send);
    fireEvent.submit(send.form!);
    // Then a person sends: had any of the above started a send, it would have reached the client first.
    personActs();
    byPerson.click(send);
    await screen.findByText(/Connected to Payouts/);
    expect(client.sendKey).toHaveBeenCalledTimes(1);
    expect(calledAfterThePerson(client.sendKey)).toBe(true);
    expect(client.createApplication).not.toHaveBeenCalled();
  });

  it('cannot choose the application: its choice is undone and a person’s Send goes where the person chose', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const picker = (await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement;
    fireEvent.change(picker, { target: { value: 'app_1' } });
    expect(picker.value).toBe('app_2');
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledWith('app_2', RESTRICTED_TEST));
  });

  it('cannot create an application or name it', async () => {
    const client = fakeClient();
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const picker = (await screen.findByRole('combobox', { name: 'Application' })) as HTMLSelectElement;
    fireEvent.change(picker, { target: { value: '__new__' } });
    expect(screen.queryByRole('textbox', { name: 'Name of the new application' })).toBeNull();

    byPerson.change(picker, { target: { value: '__new__' } });
    const name = screen.getByRole('textbox', { name: 'Name of the new application' }) as HTMLInputElement;
    byPerson.input(name, { target: { value: 'Checkout' } });
    fireEvent.input(name, { target: { value: 'Prod' } });
    expect(name.value).toBe('Checkout');
    screen.getByRole('button', { name: 'Send to Serval' }).click();
    personActs();
    byPerson.click(screen.getByRole('button', { name: 'Send to Serval' }));
    await screen.findByText(/Connected to Checkout/);
    expect(client.createApplication).toHaveBeenCalledTimes(1);
    expect(client.createApplication).toHaveBeenCalledWith('Checkout');
    expect(calledAfterThePerson(client.createApplication)).toBe(true);
  });

  it('cannot open the options page', async () => {
    const client = fakeClient({ listApplications: vi.fn(async () => fail('not_paired', 'This browser is not paired with a Serval backend yet.')) });
    render(<OfferCard offer={restrictedTest} client={client} onDismiss={() => {}} />);
    const open = await screen.findByRole('button', { name: 'Open Serval options' });
    open.click();
    personActs();
    byPerson.click(open);
    await waitFor(() => expect(client.openOptions).toHaveBeenCalled());
    expect(client.openOptions).toHaveBeenCalledTimes(1);
    expect(calledAfterThePerson(client.openOptions)).toBe(true);
  });
});
