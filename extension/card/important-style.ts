/**
 * The card host's inline styles, `!important` so that the page's own rules cannot move, shrink,
 * fade or hide the card. Set through the CSSOM (not a style attribute), so a page's style-src
 * CSP does not apply. A whole set at once is one `cssText` assignment: from the content script's
 * isolated world every call into the page's DOM costs, and a style set property by property
 * restyles the element each time.
 */
export type Styles = Record<string, string>;

export function importantCss(properties: Styles): string {
  let css = '';
  for (const name in properties) css += `${name}:${properties[name]}!important;`;
  return css;
}

/** Replaces the element's inline style with `properties`. */
export function setStyles(element: HTMLElement, properties: Styles): void {
  element.style.cssText = importantCss(properties);
}

/** Changes a few properties, keeping the others. */
export function setImportant(element: HTMLElement, properties: Styles): void {
  for (const name in properties) element.style.setProperty(name, properties[name], 'important');
}
