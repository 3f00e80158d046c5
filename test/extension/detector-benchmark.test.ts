/** Keeps the benchmark honest: its pages hold no key, and the handler it times finds none. */
import { describe, expect, it } from 'vitest';
import { measureDetectorCost } from './bench/detector-measure';

describe('the detector benchmark', () => {
  for (const shape of ['rows-one-subtree', 'rows-one-by-one', 'masked-key-rows'] as const) {
    it(`times the handler over ${shape} without finding a key`, () => {
      const cost = measureDetectorCost({ document, MutationObserver }, shape, { runs: 2, batches: 1, warmup: 0 });
      expect(cost.keysFound).toBe(0);
      expect(cost.nodes).toBeGreaterThanOrEqual(1000);
      expect(cost.msPer1000Nodes).toBeGreaterThan(0);
    });
  }
});
