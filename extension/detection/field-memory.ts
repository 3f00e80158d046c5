/**
 * Fields whose value may change without a mutation the watcher can see: an input whose `.value`
 * a script assigns without an event and without touching the attribute (the "Create secret key"
 * modal: the field appears empty, the key is assigned when the API answers).
 *
 * The browser moves the caret to the end of the new value and fires `selectionchange` at the field
 * (Chromium 127+, Firefox 92+), so the watcher reads the field in the next task. Where that event
 * does not come, text inputs and textareas that appear are remembered here (at most FIELD_MEMORY
 * of them, forgotten once detached) and re-read:
 *   - on the next frame after they appear;
 *   - when any attribute of the field itself changes (a framework that assigns the value usually
 *     touches the field too: placeholder, class, aria-busy, disabled…);
 *   - once per frame in which the watcher saw any other change (the spinner goes, a label
 *     changes…);
 *   - when the user interacts with the page (the watcher's listeners call `scheduleRecheck`).
 * Each re-read is at most FIELD_MEMORY `.value` reads. Nothing runs on a timer.
 */
import { keysInField, type FoundKey, type KeyField } from './key-detector';

/** How many recently added inputs are remembered for re-reading. */
export const FIELD_MEMORY = 64;

export type FieldMemoryOptions = {
  MutationObserver: typeof MutationObserver;
  onKeys(found: readonly FoundKey[]): void;
  nextFrame(callback: () => void): void;
};

export type FieldMemory = ReturnType<typeof createFieldMemory>;

export function createFieldMemory(options: FieldMemoryOptions) {
  const { onKeys, nextFrame } = options;
  const remembered = new Set<KeyField>();
  /** Watches every attribute of the remembered fields, and nothing else; null while stopped. */
  let fieldObserver: MutationObserver | null = null;
  /** Set when a field was forgotten: the field observer is rebuilt once, in `settle`. */
  let forgotten = false;
  let recheckScheduled = false;

  function observeField(field: KeyField): void {
    fieldObserver?.observe(field, { attributes: true });
  }

  /** Reads every remembered field now, dropping those no longer in the page. */
  function recheck(): void {
    recheckScheduled = false;
    const found: FoundKey[] = [];
    for (const field of remembered) {
      if (!field.isConnected) remembered.delete(field);
      else found.push(...keysInField(field));
    }
    if (found.length > 0) onKeys(found);
  }

  return {
    start(): void {
      fieldObserver ??= new options.MutationObserver(() => recheck());
    },

    stop(): void {
      fieldObserver?.disconnect();
      fieldObserver = null;
      remembered.clear();
      forgotten = false;
    },

    remember(field: KeyField): void {
      if (remembered.has(field)) return;
      remembered.add(field);
      if (remembered.size > FIELD_MEMORY) {
        remembered.delete(remembered.values().next().value!);
        forgotten = true;
      } else if (!forgotten) observeField(field);
    },

    /** After a batch of `remember`s: a MutationObserver cannot drop one target, so start over with the fields still remembered. */
    settle(): void {
      if (!forgotten) return;
      forgotten = false;
      fieldObserver?.disconnect();
      for (const kept of remembered) observeField(kept);
    },

    /** Re-reads the remembered fields on the next frame (once, however often it is asked). */
    scheduleRecheck(): void {
      if (recheckScheduled || remembered.size === 0) return;
      recheckScheduled = true;
      nextFrame(recheck);
    },
  };
}
