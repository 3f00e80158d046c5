/**
 * The key watcher's tests: a happy-dom dashboard under the real watcher and happy-dom's
 * MutationObserver. Frames are run by hand, so "on the next frame" is explicit.
 */
import { afterEach, beforeEach } from 'vitest';
import type { FoundKey } from '../../extension/detection/key-detector';
import { createKeyWatcher, type KeyWatcher } from '../../extension/detection/key-watcher';

/** Lets happy-dom deliver pending mutation records (it delivers them in a microtask). */
export const mutationsDelivered = () => new Promise((resolve) => setTimeout(resolve, 0));

export function el(html: string): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  return template.content.firstElementChild as HTMLElement;
}

/** Before each test, a fresh page and a started watcher; after it, the watcher stops. */
export function watchedPage() {
  let found: FoundKey[] = [];
  let frames: Array<() => void> = [];
  let watcher: KeyWatcher;

  beforeEach(() => {
    document.body.innerHTML = '<main id="main"><h1>API keys</h1></main><div id="modal-root"></div>';
    found = [];
    frames = [];
    watcher = createKeyWatcher({
      document,
      MutationObserver: window.MutationObserver,
      onKeys: (keys) => found.push(...keys),
      nextFrame: (callback) => frames.push(callback),
      isOwnNode: (node) => node.nodeName === 'SERVAL-KEY-OFFER',
    });
    watcher.start();
  });
  afterEach(() => watcher.stop());

  return {
    get watcher() {
      return watcher;
    },
    /** Every key reported so far, with the element it was found in. */
    get found() {
      return found;
    },
    /** The keys reported, each once (the watcher may report a key again; the offer controller dedupes). */
    keys: () => [...new Set(found.map((f) => f.key))],
    forget() {
      found = [];
    },
    runFrame() {
      const pending = frames;
      frames = [];
      for (const callback of pending) callback();
    },
  };
}
