import { hintFor, type ServalError } from '../messaging/errors';

/** An error as the UI shows it: the message and the integration guide's hint, announced. */
export function ErrorMessage({ error }: { error: ServalError }) {
  const hint = hintFor(error);
  return (
    <div class="error" role="alert">
      <p class="error-message">{error.message}</p>
      {hint && <p class="hint">{hint}</p>}
    </div>
  );
}
