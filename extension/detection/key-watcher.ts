/**
 * Watches the dashboard for revealed keys without polling: a MutationObserver whose work is
 * bounded by what changed (added subtrees, changed text, the `value`/`type`/`open` attributes).
 *
 * One case mutations cannot see directly: an input whose `.value` a script assigns without an
 * event and without touching the attribute (the "Create secret key" modal: the field appears
 * empty, the key is assigned when the API answers). The browser moves the caret to the end of the
 * new value and fires `selectionchange` at the field (Chromium 127+, Firefox 92+), so the field is
 * read in the next task. Where that event does not come, text inputs and textareas that appear are
 * remembered (at most FIELD_MEMORY of them, forgotten once detached) and re-read:
 *   - on the next frame after they appear;
 *   - when any attribute of the field itself changes (a framework that assigns the value
 *     usually touches the field too: placeholder, class, aria-busy, disabled…);
 *   - once per frame in which the observer saw any other change (the spinner goes, a label
 *     changes…);
 *   - when the user interacts with the page (focus, click, copy, pointer over, the end of a
 *     transition or animation).
 * Each re-read is at most FIELD_MEMORY `.value` reads. Nothing runs on a timer.
 *
 * Browser objects come in as options, so tests and the benchmark can drive it with any DOM.
 */
import {
  endsKeyish,
  fieldsWithin,
  hasKeyishEdge,
  isElement,
  isInline,
  isKeyField,
  isText,
  keysInElementText,
  keysInField,
  lineAround,
  startsKeyish,
  type FoundKey,
  type KeyField,
} from './key-detector';
import { mightContainKey } from './key-text';

export type KeyWatcherOptions = {
  document: Document;
  MutationObserver: typeof MutationObserver;
  onKeys(found: readonly FoundKey[]): void;
  /** Runs the callback once, before the next paint (requestAnimationFrame in the page). */
  nextFrame(callback: () => void): void;
  /** Our own UI, never looked into. */
  isOwnNode?(node: Node): boolean;
};

export type KeyWatcher = {
  /** Starts observing, and reads the page once. */
  start(): void;
  stop(): void;
  readonly watching: boolean;
  /** Reads the whole page once: on start, and when the user asks for keys to be offered again. */
  scanAll(): void;
  /** What the observer callback does; exposed for tests and the benchmark. */
  handleRecords(records: ArrayLike<MutationRecord>): void;
};

export const OBSERVED_ATTRIBUTES = ['value', 'type', 'open'];

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** User events after which remembered inputs are read again. */
const RECHECK_EVENTS = ['focusin', 'click', 'copy', 'pointerover', 'transitionend', 'animationend'] as const;
/** Events that carry a field's new value (`selectionchange`: a script set it). */
const FIELD_EVENTS = ['input', 'change', 'select', 'selectionchange'] as const;

/** How many recently added inputs are remembered for re-reading. */
export const FIELD_MEMORY = 64;

export function createKeyWatcher(options: KeyWatcherOptions): KeyWatcher {
  const { document, onKeys, nextFrame } = options;
  const isOwnNode = options.isOwnNode ?? (() => false);
  let observer: MutationObserver | null = null;
  /** Watches every attribute of the remembered fields, and nothing else. */
  let fieldObserver: MutationObserver | null = null;
  let listeners: AbortController | null = null;
  const remembered = new Set<KeyField>();
  let recheckScheduled = false;

  function observeField(field: KeyField): void {
    fieldObserver?.observe(field, { attributes: true });
  }

  /** Set when a field was forgotten: the field observer is rebuilt once, when the batch ends. */
  let forgotten = false;

  function remember(field: KeyField): void {
    if (remembered.has(field)) return;
    remembered.add(field);
    if (remembered.size > FIELD_MEMORY) {
      remembered.delete(remembered.values().next().value!);
      forgotten = true;
    } else if (!forgotten) observeField(field);
  }

  /** A MutationObserver cannot drop one target: start over with the fields still remembered. */
  function observeRemembered(): void {
    if (!forgotten) return;
    forgotten = false;
    fieldObserver?.disconnect();
    for (const kept of remembered) observeField(kept);
  }

  function recheckRemembered(): void {
    recheckScheduled = false;
    const found: FoundKey[] = [];
    for (const field of remembered) {
      if (!field.isConnected) remembered.delete(field);
      else found.push(...keysInField(field));
    }
    if (found.length > 0) onKeys(found);
  }

  function scheduleRecheck(): void {
    if (recheckScheduled || remembered.size === 0) return;
    recheckScheduled = true;
    nextFrame(recheckRemembered);
  }

  // The handler runs for every batch of changes on the dashboard, so its common path (nothing
  // key-like) allocates nothing: indexed loops, no closures, shared empty results. In the
  // extension's isolated world each node it touches costs a wrapper of its own, so it touches as
  // few as it can: nodes that a batch adds one after another under one parent (a list growing a
  // row at a time) are a run, whose text is read once, through a Range, instead of node by node.
  let batchFound: FoundKey[] | null = null;
  let batchScopes: Set<Element> | null = null;
  const run: Node[] = [];
  let runRange: Range | null = null;

  function report(keys: readonly FoundKey[]): void {
    if (keys.length === 0) return;
    batchFound ??= [];
    for (let i = 0; i < keys.length; i++) batchFound.push(keys[i]);
  }

  function readScope(scope: Element | null): void {
    if (!scope) return;
    batchScopes ??= new Set();
    if (batchScopes.has(scope)) return;
    batchScopes.add(scope);
    report(keysInElementText(scope));
  }

  function readField(field: KeyField): void {
    report(keysInField(field));
    remember(field);
  }

  function readText(text: Text): void {
    const parent = text.parentElement;
    if (!parent || isOwnNode(parent)) return;
    if (parent.localName === 'textarea') readField(parent as HTMLTextAreaElement);
    else if (mightContainKey(text.data)) readScope(lineAround(text) ?? parent);
    else if (hasKeyishEdge(text.data)) readScope(lineAround(text));
  }

  /** The keys in an element's text, and in the line around it when its text may continue a key. */
  function readElementText(element: Element): void {
    const text = element.textContent ?? '';
    const keys = keysInElementText(element, text);
    report(keys);
    if (keys.length === 0 && isInline(element) && hasKeyishEdge(text)) readScope(lineAround(element));
  }

  function readFieldsWithin(element: Element): void {
    if (element.childElementCount === 0) return; // no inputs inside: spare the query
    const fields = fieldsWithin(element);
    for (let i = 0; i < fields.length; i++) readField(fields[i]);
  }

  function readSubtree(element: Element): void {
    readElementText(element);
    readFieldsWithin(element);
  }

  /** Text read node by node: a run of one, a run that moved since, or a run whose text holds a possible key. */
  function readRunNodeByNode(): void {
    for (let i = 0; i < run.length; i++) {
      const node = run[i];
      if (isText(node)) readText(node);
      else if (isElement(node) && !isOwnNode(node) && !isKeyField(node)) readElementText(node);
    }
  }

  /** Whether a node's text runs on into its neighbours' on screen (a text node, a `<span>`…). */
  function continues(node: Node): boolean {
    return isText(node) || (isElement(node) && isInline(node));
  }

  function readRun(): void {
    const first = run[0];
    const last = run[run.length - 1];
    let text: string | null = null;
    if (run.length > 1 && first.parentNode !== null && first.parentNode === last.parentNode) {
      runRange ??= document.createRange();
      runRange.setStartBefore(first);
      runRange.setEndAfter(last);
      if (!runRange.collapsed) text = runRange.toString(); // else the run was reordered since
    }
    if (text === null || mightContainKey(text)) readRunNodeByNode();
    else {
      // A key split across nodes may run on from the run's first or last node into a neighbour.
      if (continues(first) && startsKeyish(text)) readScope(lineAround(first));
      if (continues(last) && endsKeyish(text)) readScope(lineAround(last));
    }
    run.length = 0;
  }

  function handleRecords(records: ArrayLike<MutationRecord>): void {
    batchFound = null;
    batchScopes = null;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const type = record.type;
      if (type === 'childList') {
        const added = record.addedNodes;
        if (added.length === 0) continue;
        // Nodes added right after the run's last one are read with it.
        if (run.length > 0 && record.previousSibling !== run[run.length - 1]) readRun();
        for (let j = 0; j < added.length; j++) {
          const node = added[j];
          run.push(node);
          if (node.nodeType !== ELEMENT_NODE || isOwnNode(node)) continue;
          const name = (node as Element).localName;
          if (name !== 'input' && name !== 'textarea') readFieldsWithin(node as Element);
          else if (isKeyField(node)) readField(node);
        }
      } else if (type === 'characterData') {
        if (isText(record.target)) readText(record.target);
      } else if (type === 'attributes') {
        const target = record.target;
        if (isKeyField(target)) readField(target);
        else if (record.attributeName === 'open' && isElement(target) && target.hasAttribute('open') && !isOwnNode(target)) {
          readSubtree(target); // a <dialog> shown with showModal(): read it once
        }
      }
    }
    if (run.length > 0) readRun();
    const found = batchFound;
    batchFound = null;
    batchScopes = null;
    observeRemembered();
    if (found) onKeys(found);
    // The page changed: remembered fields (new ones included) may have been filled in the same task.
    scheduleRecheck();
  }

  function scanAll(): void {
    const found: FoundKey[] = [];
    const root = document.body ?? document.documentElement;
    if (root) found.push(...keysInElementText(root));
    for (const field of document.querySelectorAll('input, textarea')) {
      if (!isKeyField(field) || isOwnNode(field)) continue;
      found.push(...keysInField(field));
      remember(field);
    }
    observeRemembered();
    if (found.length > 0) onKeys(found);
  }

  function onFieldEvent(event: Event): void {
    const target = event.target as Node | null;
    if (target && isKeyField(target) && !isOwnNode(target)) {
      remember(target);
      observeRemembered();
      const found = keysInField(target);
      if (found.length > 0) onKeys(found);
    }
  }

  function onInteraction(event: Event): void {
    const target = event.target as Node | null;
    if (target && isKeyField(target) && !isOwnNode(target)) {
      remember(target);
      observeRemembered();
    }
    scheduleRecheck();
  }

  return {
    get watching() {
      return observer !== null;
    },
    start() {
      if (observer) return;
      observer = new options.MutationObserver((records) => handleRecords(records));
      fieldObserver = new options.MutationObserver(() => recheckRemembered());
      observer.observe(document, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
        attributeFilter: OBSERVED_ATTRIBUTES,
      });
      listeners = new AbortController();
      const listenerOptions = { capture: true, passive: true, signal: listeners.signal };
      for (const type of FIELD_EVENTS) document.addEventListener(type, onFieldEvent, listenerOptions);
      for (const type of RECHECK_EVENTS) document.addEventListener(type, onInteraction, listenerOptions);
      scanAll();
    },
    stop() {
      observer?.disconnect();
      observer = null;
      fieldObserver?.disconnect();
      fieldObserver = null;
      listeners?.abort();
      listeners = null;
      remembered.clear();
      forgotten = false;
    },
    scanAll,
    handleRecords,
  };
}
