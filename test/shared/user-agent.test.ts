import { describe, expect, it } from 'vitest';
import { browserAndSystem } from '../../shared/user-agent.js';
import { deviceNameFrom } from '../../extension/pairing/backend-url.js';

const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36 Edg/120',
  operaWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36 OPR/106',
  chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};

describe('the browser and system a User-Agent names', () => {
  it('tells browsers that also name another apart, and systems that also name another', () => {
    expect(browserAndSystem(UA.chromeLinux)).toEqual({ browser: 'Chrome', os: 'Linux' });
    expect(browserAndSystem(UA.firefoxMac)).toEqual({ browser: 'Firefox', os: 'macOS' });
    expect(browserAndSystem(UA.edgeWindows)).toEqual({ browser: 'Edge', os: 'Windows' });
    expect(browserAndSystem(UA.operaWindows)).toEqual({ browser: 'Opera', os: 'Windows' });
    expect(browserAndSystem(UA.chromeOs)).toEqual({ browser: 'Chrome', os: 'ChromeOS' });
    expect(browserAndSystem(UA.chromeAndroid)).toEqual({ browser: 'Chrome', os: 'Android' });
    expect(browserAndSystem(UA.safariIphone)).toEqual({ browser: 'Safari', os: 'iOS' });
    expect(browserAndSystem('curl/8.5.0')).toEqual({ browser: null, os: null });
  });

  it('words the device name for the extension', () => {
    expect(deviceNameFrom(UA.chromeMac)).toBe('Chrome on macOS');
    expect(deviceNameFrom('curl/8.5.0')).toBe('Browser');
  });
});
