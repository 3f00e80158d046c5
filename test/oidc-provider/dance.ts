/**
 * The browser's side of the provider's half of a sign-in, with fetch: follows each redirect by
 * hand, keeps the provider's cookies, and submits the sign-in page for a chosen account — until
 * the provider sends the browser back to the client's redirect URI, which it returns (with
 * `code`, `state` and `iss` in the query) without following it.
 */

/** Cookies by name, as a browser keeps them for one site (paths ignored: the provider's are all its own). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Takes the Set-Cookie headers of a response; an expired or emptied cookie is forgotten. */
  take(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The attributes a Set-Cookie line gives a cookie (lower-cased names), or undefined if the response doesn't set it. */
export function setCookie(headers: Headers, name: string): { value: string; attributes: Map<string, string> } | undefined {
  for (const line of headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';');
    if (pair.slice(0, pair.indexOf('=')).trim() !== name) continue;
    const attributes = new Map(
      rest.map((a) => {
        const [k, ...v] = a.trim().split('=');
        return [k.toLowerCase(), v.join('=')] as [string, string];
      }),
    );
    return { value: pair.slice(pair.indexOf('=') + 1), attributes };
  }
  return undefined;
}

/**
 * Signs `account` in at the provider the authorization URL points to, as a fresh browser would
 * (no session at the provider yet), and returns where the provider sends the browser back.
 */
export async function signInAtProvider(authorizationUrl: string, account: string, jar = new CookieJar()): Promise<URL> {
  const get = async (url: URL, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res.headers);
    return res;
  };
  let url = new URL(authorizationUrl);
  const providerOrigin = url.origin;
  for (let step = 0; step < 10; step++) {
    const res = await get(url);
    if (res.status === 200) {
      // The sign-in page: submit it for the account.
      const html = await res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no sign-in form at ${url.pathname}: ${html.slice(0, 200)}`);
      const submitted = await get(new URL(action.replaceAll('&#38;', '&'), url), {
        method: 'POST',
        body: new URLSearchParams({ login: account }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (submitted.status !== 303) throw new Error(`signing in as ${account} answered ${submitted.status}: ${await submitted.text()}`);
      url = new URL(submitted.headers.get('location')!, url);
      continue;
    }
    if (res.status < 300 || res.status >= 400) throw new Error(`the provider answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    const next = new URL(res.headers.get('location')!, url);
    if (next.origin !== providerOrigin) return next;
    url = next;
  }
  throw new Error('the provider never sent the browser back');
}
