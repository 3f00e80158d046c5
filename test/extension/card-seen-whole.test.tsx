/**
 * Send and Also update wait for the card to be seen whole (IntersectionObserver v2, seen-whole.ts):
 * here the browser's observer is played by hand; test/e2e/card-isolation.test.ts covers the card
 * with a real page element in Chromium, and makes it see-through.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlsoUpdate } from '../../extension/card/AlsoUpdate';
import { CardPage, type CardPageDeps } from '../../extension/card/CardPage';
import { NOT_SEEN_WHOLE, SeenWholeProvider } from '../../extension/card/seen-whole';
import type { TakenOffer } from '../../extension/messaging/protocol';
import { fakeClient, ok, restrictedTest } from './card-fakes';
import { byPerson } from './person';

type Observed = {
  callback: IntersectionObserverCallback;
  options: IntersectionObserverInit & { trackVisibility?: boolean; delay?: number };
  targets: Element[];
};
let observers: Observed[] = [];

/** What the browser would report: the card seen whole, or not. */
function browserSays(isVisible: boolean): void {
  act(() => {
    for (const o of observers)
      o.callback(
        o.targets.map((target) => ({ target, isVisible, isIntersecting: true }) as never),
        null as never,
      );
  });
}

beforeEach(() => {
  observers = [];
  class FakeEntry {}
  Object.defineProperty(FakeEntry.prototype, 'isVisible', { value: false });
  vi.stubGlobal('IntersectionObserverEntry', FakeEntry);
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      private readonly observed: Observed;
      constructor(callback: IntersectionObserverCallback, options: Observed['options']) {
        this.observed = { callback, options, targets: [] };
        observers.push(this.observed);
      }
      observe(target: Element) {
        this.observed.targets.push(target);
      }
      disconnect() {
        observers = observers.filter((o) => o !== this.observed);
      }
    },
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const taken: TakenOffer = { ...restrictedTest, page: null, rotation: null, slot: '1', tabId: 7, frameId: 0 };

describe('Send waits for the card to be seen whole', () => {
  it('refuses a person’s click while the card is covered or see-through, says why, and sends once it is seen whole', async () => {
    const client = fakeClient();
    const deps: CardPageDeps = { take: async () => ok(taken), tellHost: () => undefined, client };
    render(<CardPage offerId="id" deps={deps} />);
    const send = await screen.findByRole('button', { name: 'Send to Serval' });
    expect(observers).toHaveLength(1);
    expect(observers[0].options).toMatchObject({ trackVisibility: true });
    expect(observers[0].options.delay).toBeGreaterThanOrEqual(100);

    byPerson.click(send); // before the browser has said anything
    browserSays(false);
    expect(screen.getByRole('alert').textContent).toBe(NOT_SEEN_WHOLE);
    byPerson.click(send);
    expect(client.sendKey).not.toHaveBeenCalled();

    browserSays(true);
    expect(screen.queryByRole('alert')).toBeNull();
    byPerson.click(send);
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledTimes(1));
    expect(client.sendKey).toHaveBeenCalledWith('app_2', restrictedTest.key); // Payouts, the default shown
  });

  it('refuses Also update the same way', async () => {
    const client = fakeClient();
    const holders = [{ id: 'app_3', name: 'Reports', maskedKey: 'rk_test_…0ld1' }];
    const at = (visible: boolean) => (
      <SeenWholeProvider value={{ tracked: true, visible }}>
        <AlsoUpdate holders={holders} apiKey={restrictedTest.key} client={client} />
      </SeenWholeProvider>
    );
    const { rerender } = render(at(false));
    byPerson.click(screen.getByRole('button', { name: 'Also update' }));
    expect(screen.getByRole('alert').textContent).toBe(NOT_SEEN_WHOLE);
    expect(client.rotateKey).not.toHaveBeenCalled();
    rerender(at(true));
    byPerson.click(screen.getByRole('button', { name: 'Also update' }));
    await waitFor(() => expect(client.rotateKey).toHaveBeenCalledWith(['app_3'], restrictedTest.key));
  });

  it('refuses nothing on that ground where the browser cannot tell (Firefox)', async () => {
    vi.unstubAllGlobals();
    vi.stubGlobal('IntersectionObserverEntry', class {});
    const client = fakeClient();
    render(<CardPage offerId="id" deps={{ take: async () => ok(taken), tellHost: () => undefined, client }} />);
    byPerson.click(await screen.findByRole('button', { name: 'Send to Serval' }));
    await waitFor(() => expect(client.sendKey).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
