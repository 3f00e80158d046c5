/** "Console — Chrome on Linux": the device name a console sign-in gets, from the browser's User-Agent. */
import { browserAndSystem } from '../../shared/user-agent.js';

export function consoleDeviceName(userAgent: string | undefined): string {
  const { browser, os } = browserAndSystem(userAgent ?? '');
  return `Console — ${browser ?? 'a browser'}${os ? ` on ${os}` : ''}`;
}
