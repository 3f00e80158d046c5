/**
 * Where on a page a revealed key is: functions over DOM nodes, no browser globals, no state.
 * The watcher (key-watcher.ts) decides *which* nodes to look at; these decide what is there.
 *
 * Costs: the text of what was added is read once, natively (`textContent`; the watcher reads
 * nodes added one after another through a Range), and gated by `mightContainKey` (an `indexOf` or
 * two); an added element with children costs a `querySelector` or two for the inputs in it (whose
 * value a script may set later). None of it touches a node from script: the content script runs
 * in an isolated world, where every node it touches gets a wrapper of its own, so walking an added
 * subtree element by element cost several times what the native calls do (issue 15's profile).
 * Only text that passes the gate is matched with a regex and located, one level at a time.
 */
import { findRevealedKeys, mightContainKey, possibleKeys } from './key-text';

export type FoundKey = { key: string; element: Element };
export type KeyField = HTMLInputElement | HTMLTextAreaElement;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Text in these is not shown to the user. */
const UNSHOWN = new Set(['script', 'style', 'noscript', 'template']);
const UNSHOWN_SELECTOR = 'script, style, noscript, template';

/**
 * The input types that show their value as text. A hidden input is not shown, a password input
 * shows dots, and radios, checkboxes, buttons, dates or numbers cannot show a key: a key in any of
 * them is not revealed (and a permissions table's hundreds of radios are not fields to watch).
 * When the dashboard flips a password input to text, the `type` attribute changes and the watcher
 * looks again.
 */
const TEXT_INPUT_TYPES = ['text', 'search', 'url', 'tel', 'email'];

/**
 * The same inputs as a selector. (In an HTML document `[type=…]` matches whatever the case, as
 * `.type` does; an input with a `type` that is no type at all, shown as text, is left to the
 * watcher's other ways in: its events and attribute changes.)
 */
const TEXT_INPUT_SELECTOR = TEXT_INPUT_TYPES.reduce((selector, type) => `${selector},input[type="${type}"]`, 'input:not([type])');
const FIELD_TAGS = ['input', 'textarea'];

/**
 * Elements whose text runs on into their neighbours' on screen: a key split across them is one
 * key (`<span>sk_live_</span><span>51…</span>`). Every other element (blocks, table cells, and
 * `<code>`-like tokens) separates its text from what is around it.
 */
const GLUED = new Set(['span', 'b', 'strong', 'i', 'em', 'mark', 'a', 'small', 'wbr', 's', 'u', 'font', 'abbr', 'bdi', 'bdo', 'sub', 'sup']);

/** Inline wrappers a split key may sit in: the glued ones and the token-like ones. */
const INLINE = new Set([...GLUED, 'code', 'kbd', 'samp', 'tt']);

const KEY_CHAR = /[A-Za-z0-9_]/;

export function isElement(node: Node): node is Element {
  return node.nodeType === ELEMENT_NODE;
}

export function isText(node: Node): node is Text {
  return node.nodeType === TEXT_NODE;
}

export function isKeyField(node: Node): node is KeyField {
  if (node.nodeType !== ELEMENT_NODE) return false;
  const name = (node as Element).localName;
  if (name === 'textarea') return true;
  return name === 'input' && TEXT_INPUT_TYPES.includes((node as HTMLInputElement).type);
}

/** Returned when nothing is found, so that the common path allocates nothing. */
const NO_KEYS: readonly FoundKey[] = Object.freeze([]);
const NO_FIELDS: readonly KeyField[] = Object.freeze([]);

export function keysInField(field: KeyField): readonly FoundKey[] {
  const value = field.value;
  if (!mightContainKey(value)) return NO_KEYS;
  return findRevealedKeys(value).map((key) => ({ key, element: field }));
}

function isUnshown(element: Element): boolean {
  return UNSHOWN.has(element.localName) || element.closest(UNSHOWN_SELECTOR) !== null;
}

/**
 * The text a user sees in an element: its text nodes outside script, style and the like, with
 * a line break around every element that is not glued to its neighbours — `textContent` would
 * run "Secret key" in one cell into the key in the next.
 */
function shownText(element: Element): string {
  let text = '';
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (isText(child)) text += child.data;
    else if (isElement(child) && !UNSHOWN.has(child.localName)) {
      text += GLUED.has(child.localName) ? shownText(child) : `\n${shownText(child)}\n`;
    }
  }
  return text;
}

/**
 * Keys shown in `element`, whose text holds `candidates` possible keys, each reported with the
 * innermost element that shows it whole. Descends only into the children whose own text holds a
 * possible key, one native `textContent` read per child; the element's text is walked in
 * JavaScript only when some possible key is not inside one such child (a key split across nodes),
 * so a key in a big subtree costs its depth, not the subtree. Glued children are not descended
 * into: their text runs on into their neighbours', so a key in one may continue in the next.
 */
function keysWithin(element: Element, candidates: number, found: FoundKey[]): void {
  let inChildren = 0;
  for (let child = element.firstElementChild; child; child = child.nextElementSibling) {
    if (UNSHOWN.has(child.localName) || GLUED.has(child.localName)) continue;
    const text = child.textContent ?? '';
    const inChild = possibleKeys(text);
    if (inChild === 0) continue;
    inChildren += inChild;
    keysWithin(child, inChild, found);
  }
  if (inChildren === candidates) return;
  for (const key of findRevealedKeys(shownText(element))) {
    if (!found.some((f) => f.key === key)) found.push({ key, element });
  }
}

/**
 * Keys shown as text anywhere inside the element (split across child nodes included). The
 * gate reads `textContent` (native, fast; a caller that has read it already passes it in); only
 * text that passes the gate is looked into.
 */
export function keysInElementText(root: Element, textContent = root.textContent ?? ''): readonly FoundKey[] {
  const candidates = possibleKeys(textContent);
  if (candidates === 0 || isUnshown(root)) return NO_KEYS;
  const found: FoundKey[] = [];
  keysWithin(root, candidates, found);
  return found;
}

/**
 * Text inputs and textareas inside an added subtree: their value may be set after they appear.
 * First one `querySelector` per tag name: Chromium answers a single tag name from a fast path,
 * several times faster than `input,textarea` or a selector over `type`, and finding nothing (the
 * common case) allocates nothing.
 */
export function fieldsWithin(root: Element): readonly KeyField[] {
  let fields: KeyField[] | null = null;
  for (const tag of FIELD_TAGS) {
    if (root.querySelector(tag) === null) continue;
    // Only the text inputs: a permissions table's hundreds of radios never reach script.
    for (const field of root.querySelectorAll(tag === 'input' ? TEXT_INPUT_SELECTOR : tag)) {
      fields ??= [];
      fields.push(field as KeyField);
    }
  }
  return fields ?? NO_FIELDS;
}

/**
 * Could this text be one piece of a key that continues into the node before it, or after it?
 * Only if it starts, or ends, with a character keys are made of.
 */
export function startsKeyish(text: string): boolean {
  return KEY_CHAR.test(text.trimStart().charAt(0));
}

export function endsKeyish(text: string): boolean {
  return KEY_CHAR.test(text.trimEnd().slice(-1));
}

export function hasKeyishEdge(text: string): boolean {
  return startsKeyish(text) || endsKeyish(text);
}

/**
 * The element that holds a node together with its neighbours on screen, for keys split across
 * nodes: `<code><span>sk_live_</span><span>51…</span></code>`. Climbs out of inline wrappers that
 * hold nothing else (at most three levels); null when the node has no neighbours to continue into.
 */
export function lineAround(node: Node): Element | null {
  let scope = node.parentElement;
  for (let depth = 0; scope && depth < 3; depth++) {
    if (scope.firstChild !== scope.lastChild) {
      return INLINE.has(scope.localName) && scope.parentElement ? scope.parentElement : scope;
    }
    if (!INLINE.has(scope.localName)) return null;
    scope = scope.parentElement;
  }
  return null;
}

export function isInline(element: Element): boolean {
  return INLINE.has(element.localName);
}
