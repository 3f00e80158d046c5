/**
 * The card's styles, in its own page (card.html) shown in a frame: the page's CSS cannot reach
 * in and ours cannot leak out. The card paints its own background, so it reads the same on light and dark pages; it
 * follows the system's colour scheme. Sizes and colours come from the shared tokens
 * (ui/tokens.ts), declared on the shadow root's `:host`; the verdict's own rules from
 * ui/verdict-styles.ts, as in the console.
 */
import { TOKENS_CSS } from '../../ui/tokens';
import { VERDICT_CSS } from '../../ui/verdict-styles';

export const CARD_CSS = `${TOKENS_CSS}
:host { all: initial; }
.stack { display: flex; flex-direction: column; gap: var(--serval-space-2); width: 340px; max-width: calc(100vw - 32px);
  max-height: calc(100vh - 32px); overflow: auto; }
.card { box-sizing: border-box; font: var(--serval-text-md)/var(--serval-leading) var(--serval-font);
  color: var(--serval-fg); background: var(--serval-bg); border: 1px solid var(--serval-line); border-radius: var(--serval-radius-lg);
  padding: var(--serval-space-3) var(--serval-space-4); box-shadow: var(--serval-shadow); color-scheme: light dark; text-align: left;
  overflow-wrap: anywhere; }
.head { display: flex; align-items: center; justify-content: space-between; margin-bottom: var(--serval-space-1); }
.brand { font-weight: 700; letter-spacing: .02em; color: var(--serval-accent); }
.close { border: 0; background: transparent; color: inherit; font-size: 20px; line-height: 1; padding: 2px 6px;
  border-radius: var(--serval-radius); cursor: pointer; }
.key { margin: 0 0 var(--serval-space-1); }
.key-type { font-weight: 600; }
code { font: var(--serval-text-sm) var(--serval-font-mono); background: var(--serval-surface); border-radius: var(--serval-radius-sm);
  padding: 1px 4px; }
.mode { display: inline-block; font-size: var(--serval-text-sm); font-weight: 600; border-radius: var(--serval-radius-pill);
  padding: 0 var(--serval-space-2); }
.mode-test { background: var(--serval-test-bg); color: var(--serval-test-fg); }
.mode-live { background: var(--serval-live); color: var(--serval-on-live); }
.mode-unknown { background: var(--serval-surface); color: var(--serval-fg); }
.live-warning { margin: 0 0 var(--serval-space-2); color: var(--serval-warn); font-weight: 600; }
.note, .muted { color: var(--serval-muted); font-size: var(--serval-text-sm); margin: var(--serval-space-1) 0 var(--serval-space-2); }
.body p { margin: 6px 0; }
.send { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
label { font-weight: 600; font-size: var(--serval-text-sm); }
select, input { font: inherit; color: inherit; background: var(--serval-field); border: 1px solid var(--serval-control);
  border-radius: var(--serval-radius); padding: 6px var(--serval-space-2); }
button { font: inherit; cursor: pointer; }
.primary { background: var(--serval-accent); color: var(--serval-on-accent); border: 0; border-radius: var(--serval-radius);
  padding: var(--serval-space-2) var(--serval-space-3); font-weight: 600; }
.primary[disabled] { opacity: .6; cursor: progress; }
.secondary { margin-top: var(--serval-space-2); background: transparent; color: inherit; border: 1px solid var(--serval-control);
  border-radius: var(--serval-radius); padding: 6px var(--serval-space-3); }
button:focus-visible, select:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--serval-focus); outline-offset: 2px; }
.body:focus-visible { outline: 2px solid var(--serval-focus); outline-offset: 4px; border-radius: var(--serval-radius); }
a { color: var(--serval-accent); }
.ok { color: var(--serval-ok); font-weight: 600; }
.warn, .error p:first-child, .rotation-due { color: var(--serval-warn); font-weight: 600; }
.hint { color: var(--serval-muted); font-weight: 400; }
ul { margin: var(--serval-space-1) 0; padding-left: 20px; }
${VERDICT_CSS}`;

/**
 * The same card as its own page (card.html) in a frame: the frame is transparent around the card
 * and as tall as it, so nothing scrolls inside it.
 */
export const CARD_FRAME_CSS = `${CARD_CSS}
:root { color-scheme: light dark; background: transparent; }
html, body { margin: 0; padding: 0; background: transparent; overflow: hidden; }
.frame { display: flow-root; }`;
