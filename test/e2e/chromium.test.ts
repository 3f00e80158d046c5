/** Finding Chromium: the override, the default, and a message that says how to get one. */
import { describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, findChromium } from './chromium.js';

describe('findChromium', () => {
  it('prefers CHROMIUM_PATH', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath }, '/nonexistent/chromium')).toBe(process.execPath);
  });

  it('uses the default path when CHROMIUM_PATH is unset', () => {
    expect(findChromium({}, process.execPath)).toBe(process.execPath);
  });

  it('names both ways to install Chromium when there is none', () => {
    const find = () => findChromium({}, '/nonexistent/chromium');
    expect(find).toThrow(ChromiumNotFoundError);
    expect(find).toThrow(/apt-get install -y chromium/);
    expect(find).toThrow(/npx playwright install chromium/);
    expect(find).toThrow(/CHROMIUM_PATH/);
  });

  it('refuses a CHROMIUM_PATH that is not an executable', () => {
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/chrome' })).toThrow(/CHROMIUM_PATH is set to \/nonexistent\/chrome/);
  });
});
