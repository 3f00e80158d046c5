/**
 * Puts a stylesheet made of CSS text into a document (the popup, the options page) or a shadow
 * root (the offer card): a constructed stylesheet, which no page CSP restricts, or a <style>
 * element where that fails (constructed stylesheets can fail across worlds, as in Firefox's
 * content-script wrappers).
 */
export function adoptStyles(root: Document | ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  } catch {
    // fall back to an element
  }
  const isDocument = root.nodeType === 9; // Node.DOCUMENT_NODE
  const document: Document = isDocument ? (root as Document) : (root as ShadowRoot).ownerDocument;
  const style = document.createElement('style');
  style.textContent = css;
  (isDocument ? (document.head ?? document.documentElement) : root).append(style);
}
