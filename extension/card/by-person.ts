/**
 * The card is an extension page in a frame the Stripe page's scripts cannot reach; still, only a
 * person's input — a trusted event — chooses the application, names a new one, sends the key,
 * sends it to other applications too (Also update), or opens the options page, and a script's
 * change is undone: should anything ever reach in, it still could not steer the card.
 *
 * Sending starts from the Send button's click (a person's click, Enter or Space on it, or Enter in
 * the name field, which the browser turns into a trusted click on it), never from the form's
 * submit event: Chromium marks every submit event trusted, the one a page script's
 * `form.requestSubmit()` fires included.
 *
 * Dismiss and Try again stay open to scripts: they change nothing beyond the page, and a page that
 * wants the card gone can remove its host anyway.
 */

/** Runs `action` for a person's input; for a script's, runs `undo` (if given) instead. */
export function byPersonOnly(event: Event, action: () => void, undo?: () => void): void {
  if (event.isTrusted) action();
  else undo?.();
}
