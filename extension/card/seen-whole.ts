/**
 * Whether the card is seen whole where it is framed: nothing of the page over it, not made
 * see-through, not transformed. A page could otherwise dress the card up or hide it under a decoy
 * that lets clicks through, and have a person send a key without seeing where (clickjacking).
 *
 * Chromium tells, with IntersectionObserver v2 (`trackVisibility`, `isVisible`), which counts the
 * page around the frame too: covered, transformed, filtered or not fully opaque — in the frame or
 * anywhere above it — is not visible. Send and Also update are refused while the card is not
 * seen whole, and the card says why. Where the browser does not offer it (Firefox), `tracked` is
 * false and nothing is refused on that ground; SECURITY.md says what protects the card there.
 * https://w3c.github.io/IntersectionObserver/v2/ , https://web.dev/articles/intersectionobserver-v2
 */
import { createContext, h, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { NOT_SEEN_WHOLE } from './seen-whole-notice';

/** `visible`: null until the browser first says, false while covered, transformed or see-through. */
export type SeenWhole = { tracked: boolean; visible: boolean | null };

const UNTRACKED: SeenWhole = { tracked: false, visible: true };
const SeenWholeContext = createContext<SeenWhole>(UNTRACKED);

export { NOT_SEEN_WHOLE };

/** `isVisible` on IntersectionObserverEntry: IntersectionObserver v2. */
export function visibilityTracked(): boolean {
  return typeof IntersectionObserverEntry === 'function' && 'isVisible' in IntersectionObserverEntry.prototype;
}

/** Whether `element` (the card, once there) is seen whole; the browser says at most every 100 ms, its minimum. */
export function useSeenWhole(element: Element | null): SeenWhole {
  const tracked = visibilityTracked();
  const [visible, setVisible] = useState<boolean | null>(tracked ? null : true);
  useEffect(() => {
    if (!tracked || !element) return;
    const observer = new IntersectionObserver(
      (entries) => setVisible((entries[entries.length - 1] as IntersectionObserverEntry & { isVisible?: boolean }).isVisible === true),
      { threshold: [1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return tracked ? { tracked, visible } : UNTRACKED;
}

export function SeenWholeProvider({ value, children }: { value: SeenWhole; children: ComponentChildren }) {
  return h(SeenWholeContext.Provider, { value }, children);
}

/** For Send and Also update: `allows()` is false while the card is not seen whole; `notice` says why, once the browser has said. */
export function useSeenWholeGate() {
  const seen = useContext(SeenWholeContext);
  const allows = !seen.tracked || seen.visible === true;
  const notice = seen.tracked && seen.visible === false ? NOT_SEEN_WHOLE : null;
  return { allows, notice };
}
