/**
 * Remembers the Expiration chosen in Stripe's Rotate dialog. Rotating a key in the Dashboard (⋯ →
 * Rotate key) opens a dialog whose Expiration select says how long the old key keeps working —
 * Now, 1 hour, 24 hours, 3 days, 7 days — and whose Rotate API key button replaces the dialog's
 * content with the new key, select gone. So the choice is read when a button of that dialog is
 * clicked, and handed with the key that shows up next.
 *
 * One capture listener for clicks (the content script's, removed with it), doing nothing for a
 * click outside a dialog with an Expiration select: no polling, nothing read until a person clicks.
 */
import type { RotateChoice } from '../messaging/protocol';

/** A choice older than this belongs to some other rotation: the key a person reveals later is not the rotated one. */
const CHOICE_TTL_MS = 10 * 60_000;

export type RotateExpirationMemory = {
  /** For the page's clicks, in the capture phase: a button inside a dialog reads its select labelled Expiration. */
  onClick(event: Event): void;
  /** The Expiration last chosen, if recent enough to belong to the key showing up now; spent once taken. */
  take(): RotateChoice | null;
};

export function rotateExpirationMemory(now: () => number = Date.now): RotateExpirationMemory {
  let choice: RotateChoice | null = null;
  return {
    onClick({ target }) {
      const dialog = (target as Element | null)?.closest?.('[role=dialog] button')?.closest('[role=dialog]');
      for (const select of dialog?.querySelectorAll('select') ?? []) {
        const expiration = select.selectedOptions[0]?.text.trim();
        if (expiration && select.labels[0]?.textContent?.trim() === 'Expiration') choice = { expiration, chosenAt: now() };
      }
    },
    take() {
      const taken = choice;
      choice = null;
      return taken && now() - taken.chosenAt < CHOICE_TTL_MS ? taken : null;
    },
  };
}
