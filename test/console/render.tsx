/** Opens the console at a path against a fake API (and, for passkeys, a fake authenticator). */
import { render } from '@testing-library/preact';
import { App } from '../../console/src/App';
import type { WebAuthn } from '../../console/src/webauthn';
import { fakeFetch } from './fake-api';

export function open(path: string, routes: Parameters<typeof fakeFetch>[0], webauthn?: WebAuthn) {
  history.replaceState(null, '', path);
  const fake = fakeFetch(routes);
  render(<App fetch={fake.fetch} webauthn={webauthn} />);
  return fake;
}
