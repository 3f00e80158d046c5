/**
 * The detector benchmark itself, for any DOM: happy-dom on Node (detector-cost.ts) or a real
 * Chromium page (in-page.ts, driven by bench/extension.ts).
 *
 * What is timed: only the watcher's mutation handler (`handleRecords`, exactly what its
 * MutationObserver callback runs) over the records that adding the rows produced. Not timed:
 * building the nodes and the DOM queueing the records, which the page pays with or without the
 * extension. The records are collected by a separate observer, then handed to the handler.
 * Each sample times `batches` batches of about `nodes` nodes and divides, so that coarse
 * browser clocks (100 µs in Chromium) still resolve it.
 */
import { createKeyWatcher } from '../../../extension/detection/key-watcher';

export type DetectorShape = 'rows-one-subtree' | 'rows-one-by-one' | 'masked-key-rows';
export type DetectorEnvironment = { document: Document; MutationObserver: typeof MutationObserver };
export type DetectorCost = { shape: DetectorShape; nodes: number; msPer1000Nodes: number; keysFound: number };

export const SHAPE_LABELS: Record<DetectorShape, string> = {
  'rows-one-subtree': 'table rows added as one subtree',
  'rows-one-by-one': 'table rows added one by one',
  'masked-key-rows': 'API key rows with masked keys (rk_test_…1234)',
};

/** 8 nodes: tr, td, text, td, code, text, button, text. */
const NODES_PER_ROW = 8;

function makeRow(document: Document, i: number, masked: boolean): HTMLElement {
  const tr = document.createElement('tr');
  const name = document.createElement('td');
  name.textContent = masked ? `Restricted key ${i}` : `Invoice ${i} · paid`;
  const value = document.createElement('td');
  const code = document.createElement('code');
  code.textContent = masked ? `rk_test_…${String(i % 10000).padStart(4, '0')}` : `in_${i.toString(36)}`;
  const button = document.createElement('button');
  button.textContent = 'Open';
  value.append(code, button);
  tr.append(name, value);
  return tr;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function measureDetectorCost(
  env: DetectorEnvironment,
  shape: DetectorShape,
  options: { nodes?: number; runs?: number; batches?: number; warmup?: number } = {},
): DetectorCost {
  const { document } = env;
  const rows = Math.ceil((options.nodes ?? 1000) / NODES_PER_ROW);
  const runs = options.runs ?? 15;
  const batches = options.batches ?? 20;
  const warmup = options.warmup ?? 3;
  const masked = shape === 'masked-key-rows';

  // One long-lived page, like the dashboard's single-page app.
  document.body.innerHTML = '<main><h1>API keys</h1><table></table></main>';
  const table = document.querySelector('table')!;
  let keysFound = 0;
  const watcher = createKeyWatcher({
    document,
    MutationObserver: env.MutationObserver,
    onKeys: (found) => void (keysFound += found.length),
    nextFrame: () => {},
  });

  const recordBatch = (): MutationRecord[] => {
    const collector = new env.MutationObserver(() => {});
    collector.observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['value', 'type', 'open'] });
    const tbody = document.createElement('tbody');
    if (shape === 'rows-one-by-one') {
      table.append(tbody);
      for (let i = 0; i < rows; i++) tbody.append(makeRow(document, i, masked));
    } else {
      for (let i = 0; i < rows; i++) tbody.append(makeRow(document, i, masked));
      table.append(tbody);
    }
    const records = collector.takeRecords();
    collector.disconnect();
    return records;
  };

  const samples: number[] = [];
  for (let run = 0; run < warmup + runs; run++) {
    const recorded: MutationRecord[][] = [];
    for (let b = 0; b < batches; b++) recorded.push(recordBatch());
    const start = performance.now();
    for (const records of recorded) watcher.handleRecords(records);
    const perBatch = (performance.now() - start) / batches;
    if (run >= warmup) samples.push(perBatch);
    table.replaceChildren();
  }
  const nodes = rows * NODES_PER_ROW;
  return { shape, nodes, msPer1000Nodes: (median(samples) * 1000) / nodes, keysFound };
}
