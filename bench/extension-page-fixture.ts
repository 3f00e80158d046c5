/**
 * The page the content-script benchmark (bench/extension-page.ts) loads, once at the API keys
 * URL, where the content script watches, and once at a host it does not match. Its script is the
 * page's own: it builds the shapes a React dashboard produces and reports what it added. The same
 * bytes on both hosts, so the difference in script time is the extension's.
 */

/** Nodes the page adds per batch, and batches per shape: 20,000 nodes, like issue 15's measurement. */
export const NODES_PER_BATCH = 1_000;
export const BATCHES = 20;
/** How long the page waits for a key's offer before it calls the key missed. */
export const FOUND_TIMEOUT_MS = 3_000;

export type PageShape = 'rows-at-once' | 'rows-one-by-one' | 'dialog-long-table' | 'masked-key-rows' | 'text-fragments' | 'key-at-end';

export const PAGE_SHAPES: readonly PageShape[] = ['rows-at-once', 'rows-one-by-one', 'dialog-long-table', 'masked-key-rows', 'text-fragments', 'key-at-end'];

export const PAGE_SHAPE_LABELS: Record<PageShape, string> = {
  'rows-at-once': 'table rows, 1,000 nodes at once',
  'rows-one-by-one': 'table rows added one by one',
  'dialog-long-table': 'a dialog with a 5,000-node permissions table',
  'masked-key-rows': 'rows of masked keys (rk_test_…1234)',
  'text-fragments': 'spans and divs of text, 1,000 per fragment, every 7th a masked key',
  'key-at-end': 'masked rows, then a key revealed at the end (and its offer shown)',
};

/** What the page's `__servalBench(shape)` answers: how many nodes it added. */
export type PageRun = { nodes: number };

/** How a key appears for `__servalFound(kind, key)`, which answers when (ms since the epoch). */
export type FoundKind = 'text' | 'input-value';

/**
 * Run in every frame before its own scripts (an init script); does something only in the card's
 * frame (card.html): records when its document first shows a masked key, in ms since the epoch, as
 * `__servalShown = {masked, at}`. The card's frame is another origin (and another process): the
 * page cannot watch it, and its clock is compared through the epoch.
 */
export const SHOWN_AT_SCRIPT = `(() => {
  if (location.protocol !== 'chrome-extension:' || !location.pathname.endsWith('/card.html')) return;
  const MASKED = /[sr]k_(?:test|live)_…[A-Za-z0-9]{4}/;
  const observer = new MutationObserver(() => {
    const found = MASKED.exec(document.body ? document.body.textContent : '');
    if (!found) return;
    window.__servalShown = { masked: found[0], at: performance.timeOrigin + performance.now() };
    observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** How many offers a card frame shows: its document's offer regions. */
export const OFFERS_IN_FRAME = `document.querySelectorAll('[aria-label^="Serval: send this Stripe key"]').length`;

const PAGE_SCRIPT = `
(() => {
  const NODES_PER_BATCH = ${NODES_PER_BATCH};
  const BATCHES = ${BATCHES};
  const yieldTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const main = document.querySelector('main');
  const modalRoot = document.getElementById('modal-root');

  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** 8 nodes: tr, td, text, td, code, text, button, text. */
  function row(i, masked) {
    const tr = el('tr');
    const value = el('td');
    value.append(el('code', masked ? 'rk_test_…' + String(i % 10000).padStart(4, '0') : 'in_' + i.toString(36)), el('button', masked ? 'Reveal' : 'Open'));
    tr.append(el('td', masked ? 'Restricted key ' + i : 'Invoice ' + i + ' · paid'), value);
    return tr;
  }
  const ROW_NODES = 8;

  /** A permission of a restricted key: name, description, None / Read / Write. 15 nodes. */
  function permissionRow(i) {
    const tr = el('tr');
    const choice = el('td');
    for (const level of ['None', 'Read', 'Write']) {
      const label = el('label');
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'perm' + i;
      radio.value = level.toLowerCase();
      label.append(radio, level);
      choice.append(label);
    }
    tr.append(el('td', 'Resource ' + i), el('td', 'Read or write the objects of resource ' + i + '.'), choice);
    return tr;
  }
  const PERMISSION_ROW_NODES = 1 + 2 * 2 + 1 + 3 * 3;

  function newTable(parent) {
    const table = el('table');
    parent.append(table);
    return table;
  }

  const shapes = {
    async 'rows-at-once'() {
      const table = newTable(main);
      let nodes = 0;
      for (let b = 0; b < BATCHES; b++) {
        const tbody = el('tbody');
        for (let i = 0; i < NODES_PER_BATCH / ROW_NODES; i++) tbody.append(row(b * 1000 + i, false));
        table.append(tbody);
        nodes += 1 + NODES_PER_BATCH;
        await yieldTask();
      }
      return nodes;
    },
    async 'rows-one-by-one'() {
      const tbody = el('tbody');
      newTable(main).append(tbody);
      let nodes = 0;
      for (let b = 0; b < BATCHES; b++) {
        for (let i = 0; i < NODES_PER_BATCH / ROW_NODES; i++) tbody.append(row(b * 1000 + i, false));
        nodes += NODES_PER_BATCH;
        await yieldTask();
      }
      return nodes;
    },
    async 'dialog-long-table'() {
      const rows = Math.round(5000 / PERMISSION_ROW_NODES);
      let nodes = 0;
      for (let opened = 0; opened < (BATCHES * NODES_PER_BATCH) / 5000; opened++) {
        const backdrop = el('div');
        const dialog = el('div');
        dialog.setAttribute('role', 'dialog');
        dialog.setAttribute('aria-modal', 'true');
        const tbody = el('tbody');
        for (let i = 0; i < rows; i++) tbody.append(permissionRow(i));
        const table = el('table');
        table.append(tbody);
        const footer = el('footer');
        footer.append(el('button', 'Cancel'), el('button', 'Create key'));
        dialog.append(el('h2', 'Create restricted key'), el('p', 'Choose what this key can do.'), table, footer);
        backdrop.append(dialog);
        modalRoot.append(backdrop);
        nodes += 2 + 4 + 2 + rows * PERMISSION_ROW_NODES + 5;
        await yieldTask();
        backdrop.remove();
        await yieldTask();
      }
      return nodes;
    },
    async 'masked-key-rows'() {
      const table = newTable(main);
      let nodes = 0;
      for (let b = 0; b < BATCHES; b++) {
        const tbody = el('tbody');
        for (let i = 0; i < NODES_PER_BATCH / ROW_NODES; i++) tbody.append(row(b * 1000 + i, true));
        table.append(tbody);
        nodes += 1 + NODES_PER_BATCH;
        await yieldTask();
      }
      return nodes;
    },
    /**
     * An activity feed: 1,000 small elements (2,000 nodes) per batch, spans and divs in turn, appended to one
     * list as one fragment. Their text is ordinary ("Payment py_… succeeded"); every seventh
     * mentions a masked key.
     */
    async 'text-fragments'() {
      const feed = el('div');
      main.append(feed);
      let nodes = 0;
      for (let b = 0; b < BATCHES; b++) {
        const fragment = document.createDocumentFragment();
        for (let i = 0; i < NODES_PER_BATCH; i++) {
          const n = b * 1000 + i;
          const text = n % 7 === 0 ? 'rk_test_…' + String(n % 10000).padStart(4, '0') + ' masked' : 'Payment py_' + n.toString(36) + ' succeeded';
          fragment.append(el(i % 2 === 0 ? 'span' : 'div', text));
        }
        feed.append(fragment);
        nodes += 2 * NODES_PER_BATCH; // each element and its text
        await yieldTask();
      }
      return nodes;
    },
    async 'key-at-end'() {
      const nodes = await shapes['masked-key-rows']();
      // "Reveal test key": the dashboard swaps the masked token for the full key.
      document.querySelector('tbody:last-child tr:last-child code').textContent = window.__servalBenchKey;
      return nodes + 1;
    },
  };

  // The page builds its nodes in promise continuations, which ScriptDuration does not count (nor
  // the DevTools protocol's evaluate that starts the run): its own work stays out of both sides of
  // with − without, while the extension's observer, frame and event callbacks count in full.
  window.__servalBench = async (shape) => ({ nodes: await shapes[shape]() });

  /**
   * A key appears on a page that already holds 'rows' rows of masked keys: as text ("Reveal test
   * key"), or as the value a script assigns to the readonly input of the create-key dialog when
   * the API answers, with nothing else on the page changing (the hardest case: no mutation at all).
   * Answers when it appeared, in ms since the epoch (performance.timeOrigin + now()): the card is
   * another origin's document in a closed shadow root, so the page cannot see it show; the
   * benchmark reads that time in the card's frame (SHOWN_AT_SCRIPT) and compares.
   */
  window.__servalFound = async (kind, key, masked, rows) => {
    if (!document.querySelector('#found-rows')) {
      const tbody = el('tbody');
      tbody.id = 'found-rows';
      for (let i = 0; i < rows; i++) tbody.append(row(i, true));
      newTable(main).append(tbody);
      await yieldTask();
    }
    if (kind === 'text') {
      const code = el('code', 'sk_test_••••••••••••••••••••••••' + masked.slice(-4));
      main.append(code);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
      const at = performance.timeOrigin + performance.now();
      code.textContent = key;
      return at;
    }
    const dialog = el('div');
    dialog.setAttribute('role', 'dialog');
    const field = el('input');
    field.readOnly = true;
    field.placeholder = 'Creating…';
    dialog.append(el('h2', 'Create secret key'), el('p', 'Copy this key now.'), field);
    modalRoot.replaceChildren(dialog);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the API answers
    const at = performance.timeOrigin + performance.now();
    field.value = key; // the property only: no event, no attribute, nothing else on the page changes
    return at;
  };

  document.body.dataset.benchReady = '';
})();
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>API keys – Stripe (content script benchmark)</title></head>
  <body>
    <header>stripe</header>
    <main><h1>API keys</h1></main>
    <div id="modal-root"></div>
    <script>${PAGE_SCRIPT}</script>
  </body>
</html>`;
