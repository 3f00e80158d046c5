/**
 * Where on a page a revealed key is: functions over DOM nodes, no browser globals, no state.
 * The watcher (key-watcher.ts) decides *which* nodes to look at; these decide what is there.
 *
 * Costs: an added element costs one `textContent` read and the `mightContainKey` gate (an
 * `indexOf` or two), plus a walk over its elements when it has any (to find inputs whose value a
 * script may set later). Only text that passes the gate is matched with a regex and located.
 */
import { findRevealedKeys, mightContainKey } from './key-text';

export type FoundKey = { key: string; element: Element };
export type KeyField = HTMLInputElement | HTMLTextAreaElement;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Text in these is not shown to the user. */
const UNSHOWN = new Set(['script', 'style', 'noscript', 'template']);
const UNSHOWN_SELECTOR = 'script, style, noscript, template';

/**
 * A hidden input is not shown, and a password input shows dots: a key in either is not
 * revealed. When the dashboard flips a password input to text, the `type` attribute changes and
 * the watcher looks again.
 */
const UNREVEALING_INPUT_TYPES = new Set(['hidden', 'password']);

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
  return name === 'input' && !UNREVEALING_INPUT_TYPES.has((node as HTMLInputElement).type);
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
 * The innermost element that shows the whole key. Only reached for text that contains a key,
 * so its cost (depth × subtree) is paid once per revealed key, never per ordinary mutation.
 */
function locate(root: Element, key: string): Element | null {
  let current = root;
  descend: for (;;) {
    for (let child = current.firstElementChild; child; child = child.nextElementSibling) {
      if (UNSHOWN.has(child.localName)) continue;
      if ((child.textContent ?? '').includes(key)) {
        current = child;
        continue descend;
      }
    }
    break;
  }
  return findRevealedKeys(shownText(current)).includes(key) ? current : null;
}

/**
 * Keys shown as text anywhere inside the element (split across child nodes included). The
 * gate reads `textContent` (native, fast; a caller that has read it already passes it in); only
 * text that passes the gate is walked in JavaScript.
 */
export function keysInElementText(root: Element, textContent = root.textContent ?? ''): readonly FoundKey[] {
  if (!mightContainKey(textContent)) return NO_KEYS;
  if (isUnshown(root)) return NO_KEYS;
  const found: FoundKey[] = [];
  for (const key of findRevealedKeys(shownText(root))) {
    const element = locate(root, key);
    if (element) found.push({ key, element });
  }
  return found;
}

/**
 * Inputs and textareas inside an added subtree: their value may be set after they appear.
 * A plain walk over the elements rather than `querySelectorAll`: as fast in Chromium (measured
 * in bench/extension.ts), and it allocates nothing when there is nothing to find.
 */
export function fieldsWithin(root: Element): readonly KeyField[] {
  let fields: KeyField[] | null = null;
  let node = root.firstElementChild;
  while (node !== null) {
    if (isKeyField(node)) (fields ??= []).push(node);
    let next = node.firstElementChild;
    for (let up: Element | null = node; next === null && up !== null && up !== root; up = up.parentElement) {
      next = up.nextElementSibling;
    }
    node = next;
  }
  return fields ?? NO_FIELDS;
}

/**
 * Could this text be one piece of a key that continues into a neighbouring node? Only if it
 * starts or ends with a character keys are made of.
 */
export function hasKeyishEdge(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && (KEY_CHAR.test(trimmed[0]) || KEY_CHAR.test(trimmed[trimmed.length - 1]));
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
