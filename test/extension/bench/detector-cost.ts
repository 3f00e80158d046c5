/**
 * The detector benchmark in happy-dom on Node. happy-dom implements the DOM in JavaScript
 * (textContent, the tree, MutationObserver), so these figures are an upper bound for a browser,
 * where the same calls are native; bench/extension.ts also measures in Chromium when it can.
 */
import { Window } from 'happy-dom';
import { measureDetectorCost, type DetectorCost, type DetectorShape } from './detector-measure';

export function measureInHappyDom(shape: DetectorShape, options?: { nodes?: number; runs?: number; batches?: number }): DetectorCost {
  const window = new Window({ url: 'https://dashboard.stripe.com/test/apikeys' });
  try {
    return measureDetectorCost(
      { document: window.document as unknown as Document, MutationObserver: window.MutationObserver as unknown as typeof MutationObserver },
      shape,
      // Node's clock resolves a single batch; happy-dom slows down as its document grows, so
      // one batch at a time keeps the page the size of a dashboard.
      { batches: 1, runs: 40, warmup: 5, ...options },
    );
  } finally {
    window.close();
  }
}
