/** The key watcher over fields and dialogs: values a script assigns, the create-key modal, a dialog with a long table of radios. */
import { describe, expect, it } from 'vitest';
import { FIELD_MEMORY } from '../../extension/detection/key-watcher';
import { RESTRICTED_LIVE, RESTRICTED_TEST, SECRET_LIVE, SECRET_TEST } from './fixtures';
import { el, mutationsDelivered, watchedPage } from './watched-page';

const page = watchedPage();

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

  it('a key in a 5,000-node dialog is page.found', async () => {
    const dialog = permissionsDialog(el(`<p>Your new key: <code>${RESTRICTED_LIVE}</code></p>`));
    expect(nodesIn(dialog)).toBeGreaterThanOrEqual(5_000);
    document.getElementById('modal-root')!.append(dialog);
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_LIVE]);
    expect(page.found[0].element.localName).toBe('code');
  });

  it('a key a script assigns to the input above a 5,000-node table of radios is page.found', async () => {
    const field = el('<input readonly aria-label="New key">') as HTMLInputElement;
    const dialog = permissionsDialog(field);
    document.getElementById('modal-root')!.append(dialog);
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
    field.value = RESTRICTED_TEST; // the property only; the 1,002 radios after it did not push it out of memory
    dialog.querySelector('h2')!.textContent = 'Your new key';
    await mutationsDelivered();
    page.runFrame();
    expect(page.keys()).toEqual([RESTRICTED_TEST]);
  });
});

describe('key watcher: a table that grows a row at a time', () => {
  it('asks a parent without fields once for a batch of many rows, and still finds a key a script puts in a field of one of them', async () => {
    const tbody = document.createElement('tbody');
    const table = document.createElement('table');
    table.append(tbody);
    document.body.append(table);
    await mutationsDelivered();
    // 100 rows, one record each: no fields anywhere, nothing found.
    for (let i = 0; i < 100; i++) tbody.append(el(`<tr><td>Invoice ${i}</td><td><code>in_${i}</code></td></tr>`));
    await mutationsDelivered();
    expect(page.keys()).toEqual([]);
    // 100 more, one with an input: the parent holds a field now, so every row is read, and the
    // key a script assigns to that field later (no event, no attribute) is found too.
    let field: HTMLInputElement | null = null;
    for (let i = 0; i < 100; i++) {
      const row = el(`<tr><td>Key ${i}</td><td>${i === 50 ? '<input readonly aria-label="Key">' : ''}</td></tr>`);
      tbody.append(row);
      field ??= row.querySelector('input');
    }
    await mutationsDelivered();
    field!.value = SECRET_TEST; // property only: no event, no attribute
    page.runFrame();
    expect(page.keys()).toEqual([SECRET_TEST]);
    expect(page.found[0].element).toBe(field);
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
    expect(page.found).toEqual([]);
    field.value = SECRET_LIVE; // property only: no event, no attribute
    page.runFrame();
    expect(page.keys()).toEqual([SECRET_LIVE]);
    expect(page.found[0].element).toBe(field);
  });

  it('finds a key assigned later, when the script also touches the field (placeholder cleared)', async () => {
    const { field } = openCreateModal();
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
    field.value = RESTRICTED_LIVE;
    field.placeholder = '';
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_LIVE]);
  });

  it('finds a key assigned later, on the next frame in which the page changes anything', async () => {
    const { dialog, field } = openCreateModal();
    await mutationsDelivered();
    page.runFrame();
    field.value = SECRET_TEST;
    dialog.querySelector('h2')!.textContent = 'Your new key';
    await mutationsDelivered();
    expect(page.found).toEqual([]); // not yet: once per frame
    page.runFrame();
    expect(page.keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key assigned silently as soon as the user focuses, clicks or copies', async () => {
    for (const event of [new FocusEvent('focusin', { bubbles: true }), new MouseEvent('click', { bubbles: true }), new Event('copy', { bubbles: true })]) {
      page.forget();
      document.getElementById('modal-root')!.replaceChildren();
      const { field } = openCreateModal();
      await mutationsDelivered();
      page.runFrame();
      field.value = event.type === 'click' ? RESTRICTED_TEST : SECRET_TEST;
      field.dispatchEvent(event);
      page.runFrame();
      expect(page.keys(), event.type).toEqual([field.value]);
    }
  });

  it('reads a field as soon as the browser reports that a script set its value (selectionchange)', async () => {
    const { field } = openCreateModal();
    await mutationsDelivered();
    page.runFrame();
    field.value = SECRET_TEST;
    // What Chromium and Firefox do when a script assigns `.value`: the caret moves, and the field says so.
    field.dispatchEvent(new Event('selectionchange', { bubbles: true }));
    expect(page.keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key the user types or pastes into any input (input and change events)', async () => {
    const field = el('<textarea aria-label="Notes"></textarea>') as HTMLTextAreaElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    page.runFrame();
    field.value = `  ${SECRET_TEST}\n`;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    expect(page.keys()).toEqual([SECRET_TEST]);
  });

  it('finds a key set through the value attribute (what React does)', async () => {
    const field = el('<input readonly>') as HTMLInputElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    field.setAttribute('value', RESTRICTED_LIVE);
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_LIVE]);
  });

  it('waits for a password field to be shown as text before offering its key', async () => {
    const field = el(`<input type="password" value="${SECRET_TEST}">`) as HTMLInputElement;
    document.getElementById('main')!.append(field);
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
    field.type = 'text';
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST]);
  });

  it('never offers the key of a hidden input', async () => {
    document.getElementById('main')!.append(el(`<form><input type="hidden" value="${SECRET_TEST}"></form>`));
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
  });

  it('reads a <dialog> once when it opens', async () => {
    const dialog = el(`<dialog><p>New key</p><code>${SECRET_LIVE}</code></dialog>`);
    page.watcher.stop();
    document.body.append(dialog);
    page.watcher.start();
    page.forget();
    dialog.setAttribute('open', '');
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_LIVE]);
  });

  it(`remembers at most ${FIELD_MEMORY} inputs, the most recent ones`, async () => {
    const fields: HTMLInputElement[] = [];
    for (let i = 0; i < FIELD_MEMORY + 10; i++) {
      const field = el('<input>') as HTMLInputElement;
      fields.push(field);
      document.getElementById('main')!.append(field);
    }
    await mutationsDelivered();
    page.runFrame();
    fields[0].value = SECRET_TEST; // forgotten
    fields.at(-1)!.value = RESTRICTED_TEST; // remembered
    document.body.dispatchEvent(new MouseEvent('pointerover', { bubbles: true }));
    page.runFrame();
    expect(page.keys()).toEqual([RESTRICTED_TEST]);
  });
});
