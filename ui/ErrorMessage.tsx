import { hintFor, type ServalError } from './errors';

/**
 * An error as the UI shows it: the message and the integration guide's hint. Announced as an
 * alert, unless it sits in a live region that announces it already (the offer card's).
 */
export function ErrorMessage({ error, announce = true, id }: { error: ServalError; announce?: boolean; id?: string }) {
  const hint = hintFor(error);
  return (
    <div class="error" id={id} role={announce ? 'alert' : undefined}>
      <p class="error-message">{error.message}</p>
      {hint && <p class="hint">{hint}</p>}
    </div>
  );
}
