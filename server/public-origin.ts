/**
 * The console's public origin: where invite links point, the passkeys' relying party, and the
 * SSO redirect. SERVAL_PUBLIC_URL when set; otherwise, on loopback, `http://localhost:<port>` —
 * an IP address cannot be a WebAuthn relying party id, and localhost is a secure context; else
 * the origin the request reached us at.
 */
import { isLoopbackName } from './host-check.js';

export function publicOrigin(config: { publicUrl: string | null; host: string; port: number }, requestUrl?: string): string {
  if (config.publicUrl) return config.publicUrl;
  if (isLoopbackName(config.host)) {
    const port = requestUrl ? new URL(requestUrl).port || String(config.port) : String(config.port);
    return `http://localhost:${port}`;
  }
  return requestUrl ? new URL(requestUrl).origin : `http://${config.host}:${config.port}`;
}
