/** The content script remembers the Expiration chosen in Stripe's Rotate dialog, for the key that shows up next. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOfferController } from '../../extension/content/offer-controller';
import { rotateExpirationMemory } from '../../extension/content/rotate-expiration';
import { SECRET_TEST } from './fixtures';

afterEach(() => document.body.replaceChildren());

/** Stripe's Rotate dialog as the fixture dashboard draws it: an Expiration select and Rotate API key. */
function rotateDialog(choice: string): HTMLButtonElement {
  document.body.innerHTML = `
    <div role="dialog" aria-modal="true"><h2>Rotate Reporting</h2>
      <label for="x">Expiration</label>
      <select id="x"><option>Now</option><option>1 hour</option><option>24 hours</option><option>3 days</option><option>7 days</option></select>
      <button type="button">Cancel</button><button type="button">Rotate API key</button>
    </div><button type="button" id="outside">Elsewhere</button>`;
  const select = document.querySelector('select') as HTMLSelectElement;
  select.value = choice;
  return Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Rotate API key') as HTMLButtonElement;
}

describe("the Rotate dialog's Expiration", () => {
  it('is read when the dialog’s button is clicked, in Stripe’s words, with when; taken once; forgotten after ten minutes', () => {
    let now = Date.parse('2026-05-01T10:00:00.000Z');
    const watch = rotateExpirationMemory(() => now);
    document.addEventListener('click', watch.onClick, true);
    const rotate = rotateDialog('24 hours');
    (document.getElementById('outside') as HTMLButtonElement).click();
    expect(watch.take()).toBeNull();
    expect(() => watch.onClick(new MouseEvent('click'))).not.toThrow(); // a click with no element for a target (a script's, on document)
    expect(() => watch.onClick({ target: document } as unknown as Event)).not.toThrow();
    expect(watch.take()).toBeNull();
    rotate.click();
    expect(watch.take()).toEqual({ expiration: '24 hours', chosenAt: Date.parse('2026-05-01T10:00:00.000Z') });
    expect(watch.take()).toBeNull(); // spent
    rotate.click();
    now += 10 * 60_000;
    expect(watch.take()).toBeNull();
    document.removeEventListener('click', watch.onClick, true);
  });

  it('goes with the next key offered, once', async () => {
    const watch = rotateExpirationMemory();
    document.addEventListener('click', watch.onClick, true);
    const show = vi.fn();
    const offers = createOfferController({ loadCard: async () => ({ show, clear: vi.fn() }), currentPage: () => null, rotation: watch });
    rotateDialog('3 days').click();
    offers.offer([{ key: SECRET_TEST, element: document.body }]);
    offers.offer([{ key: SECRET_TEST.replace('sk_test_', 'rk_test_'), element: document.body }]);
    await vi.waitFor(() => expect(show).toHaveBeenCalledTimes(2));
    expect(show.mock.calls[0][0].rotation).toMatchObject({ expiration: '3 days' });
    expect(show.mock.calls[1][0].rotation).toBeNull();
    document.removeEventListener('click', watch.onClick, true);
  });
});
