/**
 * The card's styles, inside its shadow root: the page's CSS cannot reach in and ours cannot leak
 * out. The card paints its own background, so it reads the same on light and dark pages; it
 * follows the system's colour scheme.
 */
export const CARD_CSS = `
:host { all: initial; }
.stack { display: flex; flex-direction: column; gap: 8px; width: 340px; max-width: calc(100vw - 32px);
  max-height: calc(100vh - 32px); overflow: auto; }
.card { box-sizing: border-box; font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1a1f36; background: #ffffff; border: 1px solid #d5dbe1; border-radius: 10px; padding: 12px 14px;
  box-shadow: 0 8px 28px rgba(26, 31, 54, .22); color-scheme: light; text-align: left;
  overflow-wrap: anywhere; }
.head { display: flex; align-items: center; justify-content: space-between; margin-bottom: 6px; }
.brand { font-weight: 700; letter-spacing: .02em; color: #533afd; }
.dismiss { border: 0; background: transparent; color: inherit; font-size: 20px; line-height: 1; padding: 2px 6px; border-radius: 6px; cursor: pointer; }
.key { margin: 0 0 6px; }
.key-type { font-weight: 600; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f7; border-radius: 4px; padding: 1px 4px; }
.mode { display: inline-block; font-size: 12px; font-weight: 600; border-radius: 999px; padding: 1px 8px; }
.mode-test { background: #fff4e0; color: #8a4b00; }
.mode-live { background: #c0123c; color: #ffffff; }
.live-warning { margin: 0 0 8px; color: #c0123c; font-weight: 600; }
.note, .muted { color: #596171; font-size: 13px; margin: 4px 0 8px; }
.body p { margin: 6px 0; }
.send { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
label { font-weight: 600; font-size: 13px; }
select, input { font: inherit; color: inherit; background: #ffffff; border: 1px solid #c0c8d2; border-radius: 6px; padding: 6px 8px; }
button { font: inherit; cursor: pointer; }
.primary { background: #533afd; color: #ffffff; border: 0; border-radius: 6px; padding: 8px 12px; font-weight: 600; }
.primary[disabled] { opacity: .6; cursor: progress; }
.secondary { margin-top: 8px; background: transparent; color: inherit; border: 1px solid #c0c8d2; border-radius: 6px; padding: 6px 12px; }
button:focus-visible, select:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #7a73ff; outline-offset: 2px; }
.body:focus-visible { outline: 2px solid #7a73ff; outline-offset: 4px; border-radius: 6px; }
a { color: #533afd; }
.ok { color: #0e6245; font-weight: 600; }
.warn, .error p:first-child { color: #b3093c; font-weight: 600; }
.hint { color: #596171; font-weight: 400; }
ul { margin: 4px 0; padding-left: 20px; }
@media (prefers-color-scheme: dark) {
  .card { color: #f5f7fa; background: #1a1f36; border-color: #3c4257; color-scheme: dark; box-shadow: 0 8px 28px rgba(0, 0, 0, .5); }
  .brand, a { color: #a69cff; }
  code { background: #2a2f45; }
  .mode-test { background: #4d3100; color: #ffd591; }
  .live-warning, .warn, .error p:first-child { color: #ff8fa3; }
  .note, .muted, .hint { color: #a3acb9; }
  select, input { background: #252a40; border-color: #4f566b; }
  .secondary { border-color: #4f566b; }
  .ok { color: #6ee7b7; }
}
`;
