/**
 * One type scale, one spacing scale and one palette (ui/tokens.ts), used by the card inside its
 * shadow root and by the popup and options page: no colour or size of their own, and contrast
 * that holds in both colour schemes. The e2e tests measure the same in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { CARD_CSS } from '../../extension/card/card-styles';
import { PAGE_CSS } from '../../extension/pages/page-styles';
import { TOKENS_CSS } from '../../ui/tokens';

type Palette = Record<string, string>;

function declarations(css: string): Palette {
  return Object.fromEntries([...css.matchAll(/--serval-([\w-]+):\s*([^;]+);/g)].map(([, name, value]) => [name, value.trim()]));
}

const darkAt = TOKENS_CSS.indexOf('@media (prefers-color-scheme: dark)');
const light = declarations(TOKENS_CSS.slice(0, darkAt));
const dark = { ...light, ...declarations(TOKENS_CSS.slice(darkAt)) };
const SCHEMES: [string, Palette][] = [
  ['light', light],
  ['dark', dark],
];

/** The rules of the card and of the pages, without the tokens they import. */
const CARD_RULES = CARD_CSS.slice(CARD_CSS.indexOf(TOKENS_CSS) + TOKENS_CSS.length);
const STYLESHEETS: [string, string][] = [
  ['card-styles.ts', CARD_RULES],
  ['page-styles.ts', PAGE_CSS],
];

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const linear = (v: number) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the design tokens', () => {
  it('are the only colours: the card and the pages name none of their own', () => {
    expect(CARD_CSS.startsWith(TOKENS_CSS)).toBe(true);
    for (const [file, css] of STYLESHEETS) {
      expect(css.match(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/gi), file).toBeNull();
    }
  });

  it('define every token the card and the pages use', () => {
    for (const [file, css] of STYLESHEETS) {
      const used = [...css.matchAll(/var\(--serval-([\w-]+)\)/g)].map(([, name]) => name);
      expect(used.length, file).toBeGreaterThan(10);
      expect(
        used.filter((name) => !(name in light)),
        file,
      ).toEqual([]);
    }
  });

  it('give the dark scheme its own value for every colour of the light one', () => {
    const colours = Object.keys(light).filter((name) => light[name].startsWith('#'));
    expect(colours.length).toBeGreaterThan(10);
    expect(colours.filter((name) => !(name in declarations(TOKENS_CSS.slice(darkAt))))).toEqual([]);
  });

  it.each(SCHEMES)('read well in the %s scheme: text 4.5:1, control borders and focus rings 3:1', (_scheme, palette) => {
    const at = (name: string) => palette[name];
    for (const text of ['fg', 'muted', 'accent', 'ok', 'warn']) {
      expect(contrast(at(text), at('bg')), `${text} on bg`).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(at('muted'), at('surface')), 'muted on surface').toBeGreaterThanOrEqual(4.5);
    expect(contrast(at('fg'), at('field')), 'fg on field').toBeGreaterThanOrEqual(4.5);
    expect(contrast(at('on-accent'), at('accent')), 'the primary button').toBeGreaterThanOrEqual(4.5);
    expect(contrast(at('on-live'), at('live')), 'the live badge').toBeGreaterThanOrEqual(4.5);
    expect(contrast(at('test-fg'), at('test-bg')), 'the test badge').toBeGreaterThanOrEqual(4.5);
    for (const edge of ['control', 'focus', 'accent']) {
      for (const around of ['bg', 'field']) {
        expect(contrast(at(edge), at(around)), `${edge} against ${around}`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('keep text at 13 px or more, body text at 14 px', () => {
    expect(light['text-md']).toBe('14px');
    for (const size of ['text-sm', 'text-md', 'text-lg', 'text-xl']) expect(parseFloat(light[size]), size).toBeGreaterThanOrEqual(13);
    for (const [file, css] of STYLESHEETS) {
      const literal = [...css.matchAll(/font(?:-size)?:\s*([\d.]+)px/g)].map(([, px]) => Number(px));
      expect(
        literal.filter((px) => px < 13),
        file,
      ).toEqual([]);
    }
  });

  it('give the pages their body text size on <body>, where Chromium shrinks extension pages to 75 %', () => {
    expect(PAGE_CSS).toMatch(/\nbody \{[^}]*font: var\(--serval-text-md\)/);
  });
});
