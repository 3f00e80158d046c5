/** Bundled by bench/extension.ts and run in a Chromium page: the same measurement, native DOM. */
import { measureDetectorCost, type DetectorShape } from './detector-measure';

(globalThis as Record<string, unknown>).__servalDetectorCost = (shape: DetectorShape) =>
  measureDetectorCost({ document, MutationObserver }, shape);
