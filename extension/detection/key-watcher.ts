/**
 * Watches the dashboard for revealed keys without polling: a MutationObserver whose work is
 * bounded by what changed (added subtrees, changed text, the `value`/`type`/`open` attributes).
 * Each batch of changes is read by record-reader.ts; fields a script may fill without a visible
 * change are remembered and re-read by field-memory.ts; this module wires them to the page — the
 * observer, the events that carry a field's new value, the user's interactions — and reads the
 * whole page once on start.
 *
 * Browser objects come in as options, so tests and the benchmark can drive it with any DOM.
 */
import { createFieldMemory } from './field-memory';
import { isKeyField, keysInElementText, keysInField, type FoundKey } from './key-detector';
import { createRecordReader } from './record-reader';

export { FIELD_MEMORY } from './field-memory';

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

/** User events after which remembered inputs are read again. */
const RECHECK_EVENTS = ['focusin', 'click', 'copy', 'pointerover', 'transitionend', 'animationend'] as const;
/** Events that carry a field's new value (`selectionchange`: a script set it). */
const FIELD_EVENTS = ['input', 'change', 'select', 'selectionchange'] as const;

export function createKeyWatcher(options: KeyWatcherOptions): KeyWatcher {
  const { document, onKeys } = options;
  const isOwnNode = options.isOwnNode ?? (() => false);
  const memory = createFieldMemory(options);
  const reader = createRecordReader({ document, isOwnNode, remember: memory.remember });
  let observer: MutationObserver | null = null;
  let listeners: AbortController | null = null;

  function handleRecords(records: ArrayLike<MutationRecord>): void {
    const found = reader.read(records);
    memory.settle();
    if (found) onKeys(found);
    // The page changed: remembered fields (new ones included) may have been filled in the same task.
    memory.scheduleRecheck();
  }

  function scanAll(): void {
    const found: FoundKey[] = [];
    const root = document.body ?? document.documentElement;
    if (root) found.push(...keysInElementText(root));
    for (const field of document.querySelectorAll('input, textarea')) {
      if (!isKeyField(field) || isOwnNode(field)) continue;
      found.push(...keysInField(field));
      memory.remember(field);
    }
    memory.settle();
    if (found.length > 0) onKeys(found);
  }

  function onFieldEvent(event: Event): void {
    const target = event.target as Node | null;
    if (target && isKeyField(target) && !isOwnNode(target)) {
      memory.remember(target);
      memory.settle();
      const found = keysInField(target);
      if (found.length > 0) onKeys(found);
    }
  }

  function onInteraction(event: Event): void {
    const target = event.target as Node | null;
    if (target && isKeyField(target) && !isOwnNode(target)) {
      memory.remember(target);
      memory.settle();
    }
    memory.scheduleRecheck();
  }

  return {
    get watching() {
      return observer !== null;
    },
    start() {
      if (observer) return;
      observer = new options.MutationObserver((records) => handleRecords(records));
      memory.start();
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
      memory.stop();
      listeners?.abort();
      listeners = null;
    },
    scanAll,
    handleRecords,
  };
}
