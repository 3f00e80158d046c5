/** The test provider's sign-in page: choose an account, press Sign in. No password: it is a test provider. */
import type { TestAccount } from './index.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderSignInPage({ action, accounts, error }: { action: string; accounts: TestAccount[]; error?: string }): string {
  const options = accounts
    .map(
      (a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.name ?? a.email)} (${escapeHtml(a.email)}${a.emailVerified ? '' : ', unverified'})</option>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test Identity Provider</title></head>
<body>
<main>
<h1>Test Identity Provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="login">Account</label>
<select id="login" name="login">${options}</select>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}
