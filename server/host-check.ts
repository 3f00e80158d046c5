/**
 * DNS rebinding: a web page can point its own domain at 127.0.0.1 and then talk to a backend on
 * loopback as a "same-origin" site. A backend bound to loopback therefore answers only requests
 * whose Host names loopback; a backend bound elsewhere was deliberately exposed and answers any.
 */

/** The host name of a Host header or a bind address, lower case, without port or brackets: `[::1]:8787` → `::1`. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  // More than one colon and no brackets: a bare IPv6 address, which has no port to strip.
  if (h.indexOf(':') !== h.lastIndexOf(':')) return h;
  return h.replace(/:\d*$/, '');
}

/** `localhost`, any `127.x.y.z`, `::1` (in any spelling Node accepts for a bind). */
export function isLoopbackName(name: string): boolean {
  const h = hostName(name);
  return h === 'localhost' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The Host check for a bind address: loopback binds accept only loopback host names; others, any (null). */
export function hostCheckFor(bindHost: string): ((hostHeader: string) => boolean) | null {
  return isLoopbackName(bindHost) ? isLoopbackName : null;
}
