/**
 * Remembers the Expiration chosen in Stripe's Rotate dialog. Rotating a key in the Dashboard (⋯ →
 * Rotate key) opens a dialog whose Expiration select says how long the old key keeps working —
 * Now, 1 hour, 24 hours, 3 days, 7 days — and whose Rotate API key button replaces the dialog's
 * content with the new key, select gone. So the choice is read when a button of that dialog is
 * clicked, and handed with the key that shows up next.
 *
 * One capture listener for clicks, doing nothing for a click outside a dialog with an Expiration
 * select: no polling, nothing read until a person clicks.
 */
import type { RotateChoice } from '../messaging/protocol';

/** A choice older than this belongs to some other rotation: the key a person reveals later is not the rotated one. */
const CHOICE_TTL_MS = 10 * 60_000;

const labelOf = (select: HTMLSelectElement) =>
  (select.getAttribute('aria-label') ?? Array.from(select.labels ?? [], (label) => label.textContent ?? '').join(' ')).trim();

export function watchRotateExpiration(document: Document, now: () => number = Date.now) {
  let last: { choice: RotateChoice; at: number } | null = null;

  const onClick = (event: Event) => {
    const target = event.target instanceof Element ? event.target : null;
    const dialog = target?.closest('button')?.closest('[role="dialog"], dialog');
    if (!dialog) return;
    const select = Array.from(dialog.querySelectorAll('select')).find((s) => /^expiration$/i.test(labelOf(s)));
    const chosen = select?.selectedOptions[0]?.textContent?.replace(/\s+/g, ' ').trim();
    if (!chosen) return;
    const at = now();
    last = { choice: { expiration: chosen, chosenAt: new Date(at).toISOString() }, at };
  };
  document.addEventListener('click', onClick, true);

  return {
    /** The Expiration last chosen, if recent enough to belong to the key showing up now. */
    current(): RotateChoice | null {
      return last && now() - last.at < CHOICE_TTL_MS ? last.choice : null;
    },
    /** Spent: once handed with a key, it is not handed with the next one. */
    forget(): void {
      last = null;
    },
    stop(): void {
      document.removeEventListener('click', onClick, true);
    },
  };
}
