/**
 * Accessibility checks in the real browser: axe-core for what it can see, and plain measurements
 * for what it cannot — computed font sizes, the contrast of control borders and focus rings,
 * horizontal overflow, where focus is. A scope of `'card'` checks the offer card: the card's
 * frames (card.html, in `<serval-key-offer>`'s closed shadow root); `'page'` the whole page (the
 * popup, the options page).
 *
 * The expect… checks are soft: a finding fails the test but lets the flow go on, so that one run
 * reports every state that falls short, not just the first. The code that runs in the page is
 * plain JavaScript text, installed once per page, so that no transpiler helper leaks into it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type Scope = 'card' | 'page';
export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** WCAG's minimums: 3:1 for what identifies a control and for focus indicators (1.4.11). */
export const MIN_UI_CONTRAST = 3;
/** Nothing smaller; body text is 14 px (the tokens' --serval-text-md). */
export const MIN_FONT_PX = 13;
export const BODY_FONT_PX = 14;

/** The card's frames on a page: card.html, an extension page, one frame per offer. */
export function cardFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => /^(chrome|moz)-extension:\/\/[^/]+\/card\.html/.test(frame.url()));
}

/**
 * Runs `look` on one of the card's frames, or gives `fallback` if the frame goes meanwhile. A frame
 * that is being detached (its card closing) can leave an evaluation unanswered rather than
 * rejected, so the wait for its answer is bounded.
 */
export async function inCardFrame<T>(frame: Frame, look: (frame: Frame) => Promise<T>, fallback: T): Promise<T> {
  if (frame.isDetached()) return fallback;
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), 5_000);
  });
  try {
    return await Promise.race([look(frame).catch(() => fallback), gone]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where a scope is looked at: the page, or each of the card's frames. */
function targets(page: Page, scope: Scope): Array<Page | Frame> {
  return scope === 'card' ? cardFrames(page) : [page];
}

/** axe-core's violations, one line each: rule, impact, the elements and what is wrong with them. */
export async function axeViolations(page: Page, scope: Scope, rules?: string[]): Promise<string[]> {
  const found: string[] = [];
  const where = targets(page, scope);
  if (where.length === 0) return ['no card to check'];
  for (const target of where) found.push(...(await axeIn(target, scope, rules)));
  return found;
}

/**
 * Rules about a whole page, left out for the card's frame: it is a part of the dashboard's page
 * (a region inside its dialog), not a page with a main landmark and a heading of its own.
 */
const WHOLE_PAGE_RULES = { 'landmark-one-main': { enabled: false }, 'page-has-heading-one': { enabled: false } };

async function axeIn(page: Page | Frame, scope: Scope, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ rules, disabled }) => {
      const { axe, document } = globalThis as any;
      const context = document;
      const options = rules
        ? { resultTypes: ['violations'], runOnly: { type: 'rule', values: rules } }
        : { resultTypes: ['violations'], ...(disabled ? { rules: disabled } : {}) };
      const results = await axe.run(context, options);
      return results.violations.flatMap((violation: any) =>
        violation.nodes.map((node: any) => `${violation.id} (${violation.impact}): ${JSON.stringify(node.target)} ${node.failureSummary}`),
      );
    },
    { rules, disabled: scope === 'card' ? WHOLE_PAGE_RULES : null },
  );
}

/** The axe rules a colour scheme can change: the dark one changes colours only. */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * axe finds nothing: every rule in the light colour scheme, the colour rules again in the dark one.
 * The page is left in the light scheme.
 */
export async function expectNoAxeViolations(page: Page, scope: Scope, state: string): Promise<void> {
  try {
    await page.emulateMedia({ colorScheme: 'light' });
    expect.soft(await axeViolations(page, scope), `axe: ${state}, light scheme`).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect.soft(await axeViolations(page, scope, COLOUR_RULES), `axe: ${state}, dark scheme`).toEqual([]);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** What the plain measurements found wrong; empty when all is well. */
export type Legibility = {
  /** Text smaller than MIN_FONT_PX: `<tag> text: size`. */
  smallText: string[];
  /** The size body text gets (the page's <body>, or the card). */
  bodyFontPx: number;
  /** Controls whose border (or, without one, fill) is under 3:1 against what is around it. */
  weakControls: string[];
};

export type FocusedElement = {
  /** `serval-key-offer` when focus is inside the card, else null. */
  host: string | null;
  /** The focused element itself (inside the card's shadow root when the host is the card). */
  tag: string | null;
  role: string | null;
  /** Its aria-label, or the text of its label. */
  name: string | null;
  text: string;
  focusVisible: boolean;
  /** The focus ring's contrast against the background around the element; 0 without a ring. */
  ringContrast: number;
};

/**
 * The measurements, as plain JavaScript installed in the page once (so that no transpiler helper
 * leaks into code that runs there). `globalThis.servalA11y.legibility(scope, minFont, minContrast)`
 * and `.focused()`.
 */
const MEASUREMENTS_SOURCE = `globalThis.servalA11y = (() => {
  const rgba = (color) => {
    const parts = (color.match(/[\\d.]+/g) || []).map(Number);
    return [parts[0] || 0, parts[1] || 0, parts[2] || 0, parts.length > 3 ? parts[3] : 1];
  };
  const luminance = (c) => [c[0], c[1], c[2]]
    .map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const parentOf = (el) => el.parentElement || (el.getRootNode() && el.getRootNode().host) || null;
  // The first opaque background at or above el, through shadow hosts.
  const backgroundBehind = (el) => {
    for (let at = el; at; at = parentOf(at)) {
      const bg = rgba(getComputedStyle(at).backgroundColor);
      if (bg[3] > 0.99) return bg;
    }
    return [255, 255, 255, 1];
  };
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const describe = (el) => '<' + el.localName + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '') + '> ' +
    (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
  const all = (node) => [...node.querySelectorAll('*')].flatMap((el) => (el.shadowRoot ? [el, ...all(el.shadowRoot)] : [el]));

  function legibility(scope, minFont, minContrast) {
    const root = document;
    const smallText = [];
    const weakControls = [];
    for (const el of all(root).filter(visible)) {
      const style = getComputedStyle(el);
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
      const isControl = ['input', 'select', 'textarea', 'button'].includes(el.localName);
      if ((ownText || isControl) && parseFloat(style.fontSize) < minFont) smallText.push(describe(el) + ': ' + style.fontSize);
      if (!isControl || el.disabled) continue;
      const around = backgroundBehind(parentOf(el));
      const own = rgba(style.backgroundColor);
      if (parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none') {
        const border = rgba(style.borderTopColor);
        const worst = Math.min(contrast(border, around), own[3] > 0.99 ? contrast(border, own) : Infinity);
        if (worst < minContrast) weakControls.push(describe(el) + ': border ' + style.borderTopColor + ' ' + worst.toFixed(2) + ':1');
      } else if (own[3] > 0.99 && contrast(own, around) < minContrast) {
        weakControls.push(describe(el) + ': fill ' + style.backgroundColor + ' ' + contrast(own, around).toFixed(2) + ':1');
      }
      // Neither border nor fill (the card's close button, a link-styled button): its text shows it, and axe checks text.
    }
    const base = scope === 'card' ? document.querySelector('.card') : document.body;
    return { smallText, weakControls, bodyFontPx: parseFloat(getComputedStyle(base).fontSize) };
  }

  function focused() {
    const outer = document.activeElement;
    let active = outer;
    while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
    if (!active || active === document.body) return { host: null, tag: null, role: null, name: null, text: '', focusVisible: false, ringContrast: 0 };
    const style = getComputedStyle(active);
    const hasRing = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
      host: outer === active ? null : outer.localName,
      tag: active.localName,
      role: active.getAttribute('role'),
      name: active.getAttribute('aria-label') || (active.labels && active.labels[0] ? active.labels[0].textContent : null),
      text: (active.innerText || active.textContent || '').trim(),
      focusVisible: active.matches(':focus-visible'),
      ringContrast: hasRing ? contrast(rgba(style.outlineColor), backgroundBehind(parentOf(active))) : 0,
    };
  }

  return { legibility, focused };
})();`;

async function install(page: Page | Frame): Promise<void> {
  if (!(await page.evaluate(() => 'servalA11y' in globalThis))) await page.evaluate(MEASUREMENTS_SOURCE);
}

/** Font sizes and control borders of everything visible in scope, each card frame's included. */
export async function measureLegibility(page: Page, scope: Scope): Promise<Legibility> {
  const results = await Promise.all(targets(page, scope).map((target) => legibilityIn(target, scope)));
  if (results.length === 0) return { smallText: ['no card to measure'], weakControls: [], bodyFontPx: 0 };
  return {
    smallText: results.flatMap((r) => r.smallText),
    weakControls: results.flatMap((r) => r.weakControls),
    bodyFontPx: Math.min(...results.map((r) => r.bodyFontPx)),
  };
}

async function legibilityIn(page: Page | Frame, scope: Scope): Promise<Legibility> {
  await install(page);
  return page.evaluate(({ scope, minFont, minContrast }) => (globalThis as any).servalA11y.legibility(scope, minFont, minContrast), {
    scope,
    minFont: MIN_FONT_PX,
    minContrast: MIN_UI_CONTRAST,
  });
}

/** Font sizes and control borders hold in both colour schemes; the page is left in the light one. */
export async function expectLegible(page: Page, scope: Scope, state: string): Promise<void> {
  try {
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      const measured = await measureLegibility(page, scope);
      expect.soft(measured.bodyFontPx, `body text size: ${state}`).toBeGreaterThanOrEqual(BODY_FONT_PX);
      expect.soft(measured.smallText, `text under ${MIN_FONT_PX}px: ${state}`).toEqual([]);
      expect.soft(measured.weakControls, `control borders under 3:1: ${state}, ${colorScheme} scheme`).toEqual([]);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/**
 * The element with keyboard focus, and its focus ring. When the page's focus is on the card's host,
 * it is in one of the card's frames: the one whose document has focus says which element.
 */
export async function focusedElement(page: Page): Promise<FocusedElement> {
  await install(page);
  const outer: FocusedElement = await page.evaluate(() => (globalThis as any).servalA11y.focused());
  if (outer.tag !== 'serval-key-offer') return outer;
  for (const frame of cardFrames(page)) {
    const inner = await inCardFrame(
      frame,
      async (f): Promise<FocusedElement | null> => {
        await install(f);
        if (!(await f.evaluate(() => (globalThis as any).document.hasFocus()))) return null;
        return f.evaluate(() => (globalThis as any).servalA11y.focused());
      },
      null,
    );
    if (inner) return { ...inner, host: 'serval-key-offer' };
  }
  return { ...outer, host: 'serval-key-offer', tag: null };
}

/** Content wider than the viewport: the page scrolls sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { document } = globalThis as any;
    return document.documentElement.scrollWidth - document.documentElement.clientWidth;
  });
}
