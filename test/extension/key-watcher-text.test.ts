/** The key watcher over the text the dashboard shows: keys in added nodes, edited text, runs of nodes added one by one, and big pages. */
import { describe, expect, it } from 'vitest';
import { LEGACY_SECRET_TEST, PUBLISHABLE_LIVE, RESTRICTED_LIVE, RESTRICTED_TEST, SECRET_LIVE, SECRET_TEST, body99 } from './fixtures';
import { el, mutationsDelivered, watchedPage } from './watched-page';

const page = watchedPage();

describe('key watcher: text', () => {
  it('finds a key revealed in a <code> inside a table row, and points at the <code>', async () => {
    const table = el(`<table><tbody><tr><td>Secret key</td><td><code class="token">${SECRET_TEST}</code></td></tr></tbody></table>`);
    document.getElementById('main')!.append(table);
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST]);
    expect(page.found[0].element.localName).toBe('code');
  });

  it('finds a key when "Reveal test key" swaps the masked token for the full one', async () => {
    const token = el('<code class="token">sk_test_••••••••••••••••••••••••4242</code>');
    document.getElementById('main')!.append(token);
    await mutationsDelivered();
    expect(page.found).toEqual([]);
    token.textContent = SECRET_TEST;
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST]);
    expect(page.found[0].element).toBe(token);
  });

  it('finds a key whose text node is edited in place (characterData)', async () => {
    const token = el('<code>sk_live_…Hn0</code>');
    document.getElementById('main')!.append(token);
    await mutationsDelivered();
    (token.firstChild as Text).data = SECRET_LIVE;
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_LIVE]);
  });

  it('finds a key split across several nodes', async () => {
    const split = el(`<div class="row"><code><span>rk_live_</span><span>${body99.slice(0, 50)}</span><wbr><span>${body99.slice(50)}</span></code></div>`);
    document.getElementById('main')!.append(split);
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_LIVE]);
    expect(page.found[0].element.localName).toBe('code');
  });

  it('finds a split key when only its second half arrives later', async () => {
    const code = el('<code><span>rk_test_</span><span class="rest"></span></code>');
    document.getElementById('main')!.append(el('<p>Token: </p>'));
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    expect(page.found).toEqual([]);
    code.querySelector('.rest')!.textContent = body99;
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_TEST]);
  });

  it('accepts whitespace and line breaks around a key', async () => {
    document.getElementById('main')!.append(el(`<pre>\n   ${LEGACY_SECRET_TEST}\n\n</pre>`));
    await mutationsDelivered();
    expect(page.keys()).toEqual([LEGACY_SECRET_TEST]);
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
    page.runFrame();
    expect(page.found).toEqual([]);
  });

  it('never offers publishable keys', async () => {
    document.getElementById('main')!.append(el(`<table><tr><td>Publishable key</td><td><code>${PUBLISHABLE_LIVE}</code></td></tr></table>`));
    document.getElementById('main')!.append(el(`<input value="${PUBLISHABLE_LIVE}">`));
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
  });

  it('ignores keys in script, style and template elements', async () => {
    document.getElementById('main')!.append(el(`<div><script type="application/json">{"k":"${SECRET_TEST}"}</script><p>Nothing here</p></div>`));
    document.getElementById('main')!.append(el(`<template><code>${SECRET_TEST}</code></template>`));
    await mutationsDelivered();
    expect(page.found).toEqual([]);
  });

  it('does not look into its own card', async () => {
    const host = document.createElement('serval-key-offer');
    host.textContent = SECRET_TEST;
    document.body.append(host);
    await mutationsDelivered();
    expect(page.found).toEqual([]);
  });

  it('reads the page once when it starts, and finds nothing more after it stops', async () => {
    page.watcher.stop();
    document.getElementById('main')!.append(el(`<code>${SECRET_TEST}</code>`));
    page.watcher.start();
    expect(page.keys()).toEqual([SECRET_TEST]);
    page.watcher.stop();
    page.forget();
    document.getElementById('main')!.append(el(`<code>${RESTRICTED_LIVE}</code>`));
    await mutationsDelivered();
    expect(page.found).toEqual([]);
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
    expect(page.keys()).toEqual([SECRET_TEST]);
    expect(page.found[0].element.localName).toBe('code');
    expect(page.found[0].element.closest('tr')!.firstElementChild!.textContent).toBe('Key 37');
  });

  it('finds nothing in a list of masked keys that grows one row at a time', async () => {
    const tbody = el('<table><tbody></tbody></table>').querySelector('tbody')!;
    document.getElementById('main')!.append(tbody.parentElement!);
    for (let i = 0; i < 200; i++) tbody.append(row(i, `sk_live_••••••••••••••••••••••••${String(i).padStart(4, '0')}`));
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
  });

  it('finds a key split across spans appended one at a time', async () => {
    const code = el('<code></code>');
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    for (const piece of ['rk_live_', body99.slice(0, 50), body99.slice(50)]) code.append(el(`<span>${piece}</span>`));
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_LIVE]);
    expect(page.found[0].element).toBe(code);
  });

  it('finds a split key when its start was on the page and the rest arrives piece by piece', async () => {
    const code = el('<code><span>rk_test_</span></code>');
    document.getElementById('main')!.append(el('<p>Token: </p>'), code);
    await mutationsDelivered();
    for (const piece of [body99.slice(0, 40), body99.slice(40, 70), body99.slice(70)]) code.append(el(`<span>${piece}</span>`));
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_TEST]);
  });

  it('finds a split key when its end was on the page and the start arrives before it', async () => {
    const code = el(`<code><span>${body99}</span></code>`);
    document.getElementById('main')!.append(code);
    await mutationsDelivered();
    code.prepend(el('<span>sk_</span>'));
    code.firstElementChild!.after(el('<span>test_</span>'));
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST]);
  });

  it('finds the keys in rows a batch adds at both ends of a list, and in rows prepended one at a time', async () => {
    const tbody = el('<table><tbody></tbody></table>').querySelector('tbody')!;
    document.getElementById('main')!.append(tbody.parentElement!);
    for (let i = 0; i < 80; i++) tbody.append(row(i, `rk_test_…${String(i).padStart(4, '0')}`));
    await mutationsDelivered();
    // One batch, one parent, not one after another: a row at the end, then one at the start.
    tbody.append(row(80, SECRET_TEST));
    tbody.prepend(row(81, RESTRICTED_LIVE));
    await mutationsDelivered();
    expect(page.keys().sort()).toEqual([RESTRICTED_LIVE, SECRET_TEST].sort());
    // Each row put before the last: the batch's first row ends up last.
    for (let i = 0; i < 70; i++) tbody.prepend(row(100 + i, i === 0 ? SECRET_LIVE : `sk_live_…${String(i).padStart(4, '0')}`));
    await mutationsDelivered();
    expect(page.keys()).toContain(SECRET_LIVE);
  });

  it('still finds the key when nodes of the run move before the batch is read', async () => {
    const list = el('<ul></ul>');
    document.getElementById('main')!.append(list);
    await mutationsDelivered();
    const items = ['one', 'two', SECRET_LIVE, 'four'].map((text) => el(`<li>${text}</li>`));
    for (const item of items) list.append(item);
    list.prepend(items[3]); // the run's last node now comes first
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_LIVE]);
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
    page.watcher.stop();
    const table = bigPage(1_430, 1_234); // 7 nodes a row: about 10,000 nodes
    document.getElementById('main')!.append(table);
    expect(table.querySelectorAll('*').length + table.textContent!.length > 10_000).toBe(true);
    page.watcher.start();
    expect(page.keys()).toEqual([SECRET_TEST]);
    expect(page.found[0].element.textContent).toBe(SECRET_TEST);
  });

  it('finds nothing on a 10,000-node page of masked keys, whether it loads at once or row by row', async () => {
    page.watcher.stop();
    document.getElementById('main')!.append(bigPage(700, null));
    page.watcher.start();
    const more = bigPage(700, null);
    document.getElementById('main')!.append(more);
    for (const row of [...more.querySelectorAll('tr')].slice(0, 300)) more.querySelector('tbody')!.append(row.cloneNode(true));
    await mutationsDelivered();
    page.runFrame();
    expect(page.found).toEqual([]);
  });
});

describe('key watcher: a feed that grows a fragment of many nodes at a time', () => {
  /** A fragment of `count` small spans and divs in turn, ordinary text with a masked key in every seventh. */
  function fragment(count: number, from = 0): DocumentFragment {
    const nodes = document.createDocumentFragment();
    for (let i = from; i < from + count; i++) {
      const node = document.createElement(i % 2 === 0 ? 'span' : 'div');
      node.textContent = i % 7 === 0 ? `rk_test_…${String(i).padStart(4, '0')} masked` : `Payment py_${i.toString(36)} succeeded`;
      nodes.append(node);
    }
    return nodes;
  }

  it('finds nothing in batches of masked keys among ordinary text', async () => {
    const feed = el('<div class="feed"></div>');
    document.getElementById('main')!.append(feed);
    for (let batch = 0; batch < 5; batch++) {
      feed.append(fragment(200, batch * 200));
      await mutationsDelivered();
    }
    page.runFrame();
    expect(page.found).toEqual([]);
  });

  it('finds a key whose start ends the feed and whose rest starts the next fragment', async () => {
    const feed = el('<div class="feed"><div>Earlier</div><span>Key: rk_test_</span></div>');
    document.getElementById('main')!.append(feed);
    await mutationsDelivered();
    const next = fragment(200);
    next.firstChild!.textContent = body99;
    feed.append(next);
    await mutationsDelivered();
    expect(page.keys()).toEqual([RESTRICTED_TEST]);
  });

  it('finds a key in the field of a big fragment, and in the text of one', async () => {
    const feed = el('<div class="feed"></div>');
    document.getElementById('main')!.append(feed);
    const withField = fragment(200);
    const field = el(`<div><input type="text" aria-label="New key" value="${SECRET_TEST}"></div>`);
    withField.insertBefore(field, withField.childNodes[100]);
    feed.append(withField);
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST]);
    const withText = fragment(200, 200);
    withText.childNodes[150].textContent = `Created ${RESTRICTED_LIVE}`;
    feed.append(withText);
    await mutationsDelivered();
    expect(page.keys()).toEqual([SECRET_TEST, RESTRICTED_LIVE]);
  });
});
