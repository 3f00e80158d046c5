/**
 * The detector over the DOM shapes the dashboard produces, driven through the real watcher and
 * happy-dom's MutationObserver. Frames are run by hand, so "on the next frame" is explicit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FoundKey } from '../../extension/detection/key-detector';
import { createKeyWatcher, FIELD_MEMORY, type KeyWatcher } from '../../extension/detection/key-watcher';
import { LEGACY_SECRET_TEST, PUBLISHABLE_LIVE, RESTRICTED_LIVE, RESTRICTED_TEST, SECRET_LIVE, SECRET_TEST, body99 } from './fixtures';

let found: FoundKey[];
let frames: Array<() => void>;
let watcher: KeyWatcher;

/** Lets happy-dom deliver pending mutation records. */
const mutationsDelivered = () => new Promise((resolve) => setTimeout(resolve, 0));
const runFrame = () => {
  const pending = frames;
  frames = [];
  for (const callback of pending) callback();
};
/** The keys reported, each once (the watcher may report a key again; the offer controller dedupes). */
const keys = () => [...new Set(found.map((f) => f.key))];

function el(html: string): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  return template.content.firstElementChild as HTMLElement;
}

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

describe('key watcher: text', () => {
  it('finds a key revealed in a <code> inside a table row, and points at the <code>', async () => {
    const table = el(`<table><tbody><tr><td>Secret key</td><td><code class="token">${SECRET_TEST}</code></td></tr></tbody></table>`);
    document.getElementById('main')!.append(table);
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_TEST]);
    expect(found[0].element.localName).toBe('code');
  });

  it('finds a key when "Reveal test key" swaps the masked token for the full one', async () => {
    const token = el('<code class="token">sk_test_••••••••••••••••••••••••4242</code>');
    document.getElementById('main')!.append(token);
    await mutationsDelivered();
    expect(found).toEqual([]);
    token.textContent = SECRET_TEST;
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_TEST]);
    expect(found[0].element).toBe(token);
  });

  it('finds a key whose text node is edited in place (characterData)', async () => {
    const token = el('<code>sk_live_…Hn0</code>');
    document.getElementById('main')!.append(token);
    await mutationsDelivered();
    (token.firstChild as Text).data = SECRET_LIVE;
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_LIVE]);
  });

  it('finds a key split across several nodes', async () => {
    const split = el(`<div class="row"><code><span>rk_live_</span><span>${body99.slice(0, 50)}</span><wbr><span>${body99.slice(50)}</span></code></div>`);
    document.getElementById('main')!.append(split);
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_LIVE]);
    expect(found[0].element.localName).toBe('code');
  });

  it('finds a split key when only its second half arrives later', async () => {
    const code = el('<code><span>rk_test_</span><span class="rest"></span></code>');
    document.getElementById('main')!.append(el('<p>Token: </p>'));
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    expect(found).toEqual([]);
    code.querySelector('.rest')!.textContent = body99;
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_TEST]);
  });

  it('accepts whitespace and line breaks around a key', async () => {
    document.getElementById('main')!.append(el(`<pre>\n   ${LEGACY_SECRET_TEST}\n\n</pre>`));
    await mutationsDelivered();
    expect(keys()).toEqual([LEGACY_SECRET_TEST]);
  });

  it('never offers masked keys in any of the dashboard’s notations', async () => {
    for (const masked of [
      'sk_live_…4242',
      'sk_live_••••••••••••••••••••••••4242',
      'sk_test_*****************************lder',
      'rk_live_51Hx...4242',
      `sk_live_${body99.slice(0, 40)}...`,
      `rk_live_${body99.slice(0, 40)}…`,
    ]) {
      document.getElementById('main')!.append(el(`<code>${masked}</code>`));
    }
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
  });

  it('never offers publishable keys', async () => {
    document.getElementById('main')!.append(el(`<table><tr><td>Publishable key</td><td><code>${PUBLISHABLE_LIVE}</code></td></tr></table>`));
    document.getElementById('main')!.append(el(`<input value="${PUBLISHABLE_LIVE}">`));
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
  });

  it('ignores keys in script, style and template elements', async () => {
    document.getElementById('main')!.append(el(`<div><script type="application/json">{"k":"${SECRET_TEST}"}</script><p>Nothing here</p></div>`));
    document.getElementById('main')!.append(el(`<template><code>${SECRET_TEST}</code></template>`));
    await mutationsDelivered();
    expect(found).toEqual([]);
  });

  it('does not look into its own card', async () => {
    const host = document.createElement('serval-key-offer');
    host.textContent = SECRET_TEST;
    document.body.append(host);
    await mutationsDelivered();
    expect(found).toEqual([]);
  });

  it('reads the page once when it starts, and finds nothing more after it stops', async () => {
    watcher.stop();
    document.getElementById('main')!.append(el(`<code>${SECRET_TEST}</code>`));
    watcher.start();
    expect(keys()).toEqual([SECRET_TEST]);
    watcher.stop();
    found = [];
    document.getElementById('main')!.append(el(`<code>${RESTRICTED_LIVE}</code>`));
    await mutationsDelivered();
    expect(found).toEqual([]);
  });
});

describe('key watcher: nodes added one after another (read as a run)', () => {
  function row(i: number, token: string): HTMLElement {
    return el(`<tr><td>Key ${i}</td><td><code>${token}</code><button>Reveal</button></td></tr>`);
  }

  it('finds a key in a row of a list that grows one row at a time, and points at its <code>', async () => {
    const tbody = el('<table><tbody></tbody></table>').querySelector('tbody')!;
    document.getElementById('main')!.append(tbody.parentElement!);
    await mutationsDelivered();
    for (let i = 0; i < 60; i++) tbody.append(row(i, i === 37 ? SECRET_TEST : `rk_test_…${String(i).padStart(4, '0')}`));
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_TEST]);
    expect(found[0].element.localName).toBe('code');
    expect(found[0].element.closest('tr')!.firstElementChild!.textContent).toBe('Key 37');
  });

  it('finds nothing in a list of masked keys that grows one row at a time', async () => {
    const tbody = el('<table><tbody></tbody></table>').querySelector('tbody')!;
    document.getElementById('main')!.append(tbody.parentElement!);
    for (let i = 0; i < 200; i++) tbody.append(row(i, `sk_live_••••••••••••••••••••••••${String(i).padStart(4, '0')}`));
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
  });

  it('finds a key split across spans appended one at a time', async () => {
    const code = el('<code></code>');
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    for (const piece of ['rk_live_', body99.slice(0, 50), body99.slice(50)]) code.append(el(`<span>${piece}</span>`));
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_LIVE]);
    expect(found[0].element).toBe(code);
  });

  it('finds a split key when its start was on the page and the rest arrives piece by piece', async () => {
    const code = el('<code><span>rk_test_</span></code>');
    document.getElementById('main')!.append(el('<p>Token: </p>'), code);
    await mutationsDelivered();
    for (const piece of [body99.slice(0, 40), body99.slice(40, 70), body99.slice(70)]) code.append(el(`<span>${piece}</span>`));
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_TEST]);
  });

  it('finds a split key when its end was on the page and the start arrives before it', async () => {
    const code = el(`<code><span>${body99}</span></code>`);
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    code.prepend(el('<span>sk_</span>'));
    code.firstElementChild!.after(el('<span>test_</span>'));
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_TEST]);
  });

  it('still finds the key when nodes of the run move before the batch is read', async () => {
    const list = el('<ul></ul>');
    document.getElementById('main')!.append(list);
    await mutationsDelivered();
    const items = ['one', 'two', SECRET_LIVE, 'four'].map((text) => el(`<li>${text}</li>`));
    for (const item of items) list.append(item);
    list.prepend(items[3]); // the run's last node now comes first
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_LIVE]);
  });
});

describe('key watcher: a dialog with a long table', () => {
  /** The "Create restricted key" dialog: `top`, then a permissions table of about 5,000 nodes with radios in every row. */
  function permissionsDialog(top: HTMLElement): HTMLElement {
    const dialog = el('<div role="dialog" aria-modal="true"><h2>Create restricted key</h2></div>');
    dialog.append(top);
    const tbody = document.createElement('tbody');
    for (let i = 0; i < 334; i++) {
      tbody.append(
        el(
          `<tr><td>Resource ${i}</td><td>Read or write resource ${i}.</td><td>` +
            ['None', 'Read', 'Write'].map((level) => `<label><input type="radio" name="p${i}" value="${level}">${level}</label>`).join('') +
            '</td></tr>',
        ),
      );
    }
    const table = document.createElement('table');
    table.append(tbody);
    dialog.append(table);
    return dialog;
  }

  const nodesIn = (root: Node) => {
    let count = 0;
    const walker = document.createTreeWalker(root);
    while (walker.nextNode()) count++;
    return count;
  };

  it('a key in a 5,000-node dialog is found', async () => {
    const dialog = permissionsDialog(el(`<p>Your new key: <code>${RESTRICTED_LIVE}</code></p>`));
    expect(nodesIn(dialog)).toBeGreaterThanOrEqual(5_000);
    document.getElementById('modal-root')!.append(dialog);
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_LIVE]);
    expect(found[0].element.localName).toBe('code');
  });

  it('a key a script assigns to the input above a 5,000-node table of radios is found', async () => {
    const field = el('<input readonly aria-label="New key">') as HTMLInputElement;
    const dialog = permissionsDialog(field);
    document.getElementById('modal-root')!.append(dialog);
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
    field.value = RESTRICTED_TEST; // the property only; the 1,002 radios after it did not push it out of memory
    dialog.querySelector('h2')!.textContent = 'Your new key';
    await mutationsDelivered();
    runFrame();
    expect(keys()).toEqual([RESTRICTED_TEST]);
  });
});

describe('key watcher: inputs and the create-key modal', () => {
  function openCreateModal() {
    const dialog = el('<div class="modal" role="dialog" aria-modal="true"><h2>Create secret key</h2></div>');
    const field = el('<input id="new-key" readonly aria-label="New key" placeholder="Creating…">') as HTMLInputElement;
    dialog.append(field);
    document.getElementById('modal-root')!.append(dialog);
    return { dialog, field };
  }

  it('finds a key a script assigns to the modal input before the next frame', async () => {
    const { field } = openCreateModal();
    await mutationsDelivered();
    expect(found).toEqual([]);
    field.value = SECRET_LIVE; // property only: no event, no attribute
    runFrame();
    expect(keys()).toEqual([SECRET_LIVE]);
    expect(found[0].element).toBe(field);
  });

  it('finds a key assigned later, when the script also touches the field (placeholder cleared)', async () => {
    const { field } = openCreateModal();
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
    field.value = RESTRICTED_LIVE;
    field.placeholder = '';
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_LIVE]);
  });

  it('finds a key assigned later, on the next frame in which the page changes anything', async () => {
    const { dialog, field } = openCreateModal();
    await mutationsDelivered();
    runFrame();
    field.value = SECRET_TEST;
    dialog.querySelector('h2')!.textContent = 'Your new key';
    await mutationsDelivered();
    expect(found).toEqual([]); // not yet: once per frame
    runFrame();
    expect(keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key assigned silently as soon as the user focuses, clicks or copies', async () => {
    for (const event of [new FocusEvent('focusin', { bubbles: true }), new MouseEvent('click', { bubbles: true }), new Event('copy', { bubbles: true })]) {
      found = [];
      document.getElementById('modal-root')!.replaceChildren();
      const { field } = openCreateModal();
      await mutationsDelivered();
      runFrame();
      field.value = event.type === 'click' ? RESTRICTED_TEST : SECRET_TEST;
      field.dispatchEvent(event);
      runFrame();
      expect(keys(), event.type).toEqual([field.value]);
    }
  });

  it('reads a field as soon as the browser reports that a script set its value (selectionchange)', async () => {
    const { field } = openCreateModal();
    await mutationsDelivered();
    runFrame();
    field.value = SECRET_TEST;
    // What Chromium and Firefox do when a script assigns `.value`: the caret moves, and the field says so.
    field.dispatchEvent(new Event('selectionchange', { bubbles: true }));
    expect(keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key the user types or pastes into any input (input and change events)', async () => {
    const field = el('<textarea aria-label="Notes"></textarea>') as HTMLTextAreaElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    runFrame();
    field.value = `  ${SECRET_TEST}\n`;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    expect(keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key set through the value attribute (what React does)', async () => {
    const field = el('<input readonly>') as HTMLInputElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    field.setAttribute('value', RESTRICTED_LIVE);
    await mutationsDelivered();
    expect(keys()).toEqual([RESTRICTED_LIVE]);
  });

  it('waits for a password field to be shown as text before offering its key', async () => {
    const field = el(`<input type="password" value="${SECRET_TEST}">`) as HTMLInputElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
    field.type = 'text';
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_TEST]);
  });

  it('never offers the key of a hidden input', async () => {
    document.getElementById('main')!.append(el(`<form><input type="hidden" value="${SECRET_TEST}"></form>`));
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
  });

  it('reads a <dialog> once when it opens', async () => {
    const dialog = el(`<dialog><p>New key</p><code>${SECRET_LIVE}</code></dialog>`);
    watcher.stop();
    document.body.append(dialog);
    watcher.start();
    found = [];
    dialog.setAttribute('open', '');
    await mutationsDelivered();
    expect(keys()).toEqual([SECRET_LIVE]);
  });

  it(`remembers at most ${FIELD_MEMORY} inputs, the most recent ones`, async () => {
    const fields: HTMLInputElement[] = [];
    for (let i = 0; i < FIELD_MEMORY + 10; i++) {
      const field = el('<input>') as HTMLInputElement;
      fields.push(field);
      document.getElementById('main')!.append(field);
    }
    await mutationsDelivered();
    runFrame();
    fields[0].value = SECRET_TEST; // forgotten
    fields.at(-1)!.value = RESTRICTED_TEST; // remembered
    document.body.dispatchEvent(new MouseEvent('pointerover', { bubbles: true }));
    runFrame();
    expect(keys()).toEqual([RESTRICTED_TEST]);
  });
});

describe('key watcher: a big page', () => {
  function bigPage(rows: number, keyAt: number | null): HTMLElement {
    const table = document.createElement('table');
    const body = document.createElement('tbody');
    for (let i = 0; i < rows; i++) {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      name.textContent = `Key ${i}`;
      const token = document.createElement('td');
      const code = document.createElement('code');
      code.textContent = i === keyAt ? SECRET_TEST : `rk_test_…${String(i).padStart(4, '0')}`;
      token.append(code);
      tr.append(name, token);
      body.append(tr);
    }
    table.append(body);
    return table;
  }

  it('finds the one key on a 10,000-node page, and only it', async () => {
    watcher.stop();
    const page = bigPage(1_430, 1_234); // 7 nodes a row: about 10,000 nodes
    document.getElementById('main')!.append(page);
    expect(page.querySelectorAll('*').length + page.textContent!.length > 10_000).toBe(true);
    watcher.start();
    expect(keys()).toEqual([SECRET_TEST]);
    expect(found[0].element.textContent).toBe(SECRET_TEST);
  });

  it('finds nothing on a 10,000-node page of masked keys, whether it loads at once or row by row', async () => {
    watcher.stop();
    document.getElementById('main')!.append(bigPage(700, null));
    watcher.start();
    const more = bigPage(700, null);
    document.getElementById('main')!.append(more);
    for (const row of [...more.querySelectorAll('tr')].slice(0, 300)) more.querySelector('tbody')!.append(row.cloneNode(true));
    await mutationsDelivered();
    runFrame();
    expect(found).toEqual([]);
  });
});
