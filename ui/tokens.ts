/**
 * Serval's design tokens: one type scale, one spacing scale, one palette (light and dark), as
 * custom properties. Defined here once and used by the extension's pages
 * (extension/pages/page-styles.ts), by the offer card inside its shadow root
 * (extension/card/card-styles.ts), and by the web console (console/src/console-styles.ts): each
 * puts this text first in its stylesheet (adoptStyles).
 *
 * `:root` applies in a document and `:host` in a shadow root; each matches nothing in the other.
 *
 * Contrast, in both schemes: text at least 4.5:1 on its background; the borders that show where
 * a control is (--serval-control) and the focus ring (--serval-focus) at least 3:1 against
 * --serval-bg and --serval-field (WCAG 1.4.11). --serval-line is for separators only, never for
 * the edge of a control. test/ui/design-tokens.test.ts checks the values, test/e2e the
 * computed colours and sizes in Chromium.
 */
export const TOKENS_CSS = `:root,
:host {
  /* Type: body text is 14 px; nothing is smaller than 13 px. */
  --serval-font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  --serval-font-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  --serval-text-sm: 13px; /* labels, notes, pills, code */
  --serval-text-md: 14px; /* body text, controls */
  --serval-text-lg: 16px; /* section headings, an application's name */
  --serval-text-xl: 20px; /* the page title */
  --serval-leading: 1.45;

  /* Spacing */
  --serval-space-1: 4px;
  --serval-space-2: 8px;
  --serval-space-3: 12px;
  --serval-space-4: 16px;
  --serval-space-5: 24px;
  --serval-radius-sm: 4px;
  --serval-radius: 6px;
  --serval-radius-lg: 10px;
  --serval-radius-pill: 999px;

  /* Palette: light */
  --serval-fg: #1a1f36;
  --serval-muted: #596171;
  --serval-bg: #ffffff;
  --serval-surface: #f1f3f7; /* code, quiet fills */
  --serval-field: #ffffff;
  --serval-line: #d5dbe1; /* separators */
  --serval-control: #7c8597; /* 3.7:1 on --serval-bg and --serval-field */
  --serval-accent: #533afd; /* brand, links, the primary button */
  --serval-on-accent: #ffffff;
  --serval-focus: #533afd; /* 6.2:1 on --serval-bg */
  --serval-ok: #0e6245;
  --serval-warn: #b3093c;
  --serval-live: #c0123c;
  --serval-on-live: #ffffff;
  --serval-test-bg: #fff4e0;
  --serval-test-fg: #8a4b00;
  --serval-shadow: 0 8px 28px rgba(26, 31, 54, 0.22);
}

@media (prefers-color-scheme: dark) {
  :root,
  :host {
    --serval-fg: #f5f7fa;
    --serval-muted: #a3acb9;
    --serval-bg: #1a1f36;
    --serval-surface: #2a2f45;
    --serval-field: #252a40;
    --serval-line: #3c4257;
    --serval-control: #7d869b; /* 4.5:1 on --serval-bg, 3.9:1 on --serval-field */
    --serval-accent: #a69cff;
    --serval-on-accent: #14172b;
    --serval-focus: #a69cff; /* 6.8:1 on --serval-bg */
    --serval-ok: #6ee7b7;
    --serval-warn: #ff8fa3;
    --serval-live: #c0123c;
    --serval-on-live: #ffffff;
    --serval-test-bg: #4d3100;
    --serval-test-fg: #ffd591;
    --serval-shadow: 0 8px 28px rgba(0, 0, 0, 0.5);
  }
}
`;
