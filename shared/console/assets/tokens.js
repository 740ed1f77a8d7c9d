// The token list: live tokens by default (a filter shows the revoked),
// search by name, refresh, expiring-soon badges, and multi-select for
// revoke, deactivate and activate.
import { ago, freshness } from './dates.js';
import { badge, confirm, h, replace, time } from './dom.js';
import { generateDialog } from './generate.js';
import { announce, clearNotice } from './notices.js';
import { count } from './text.js';
import { apiStatus, expiring, live, shown, statusFilter, statusFilters } from './tokenrules.js';

function listPath(owner, status) {
  const p = new URLSearchParams();
  if (status) p.set('status', status);
  if (owner) p.set('owner', owner);
  const s = p.toString();
  return `/tokens${s ? `?${s}` : ''}`;
}

export async function tokensPage(ctx, params) {
  const owner = ctx.me.admin && params.get('owner') ? params.get('owner') : ctx.me.owner;
  const filter = statusFilter(params.get('status'));
  const view = h('section', { class: 'tokens' });
  let items = [];
  let more = false;
  const selected = new Set();

  const load = async () => {
    ({ items, more } = await ctx.api.all(listPath(owner === ctx.me.owner ? '' : owner, apiStatus(filter))));
    for (const id of [...selected]) if (!items.some((t) => t.id === id)) selected.delete(id);
  };
  await load();

  const search = h('input', { type: 'search', id: 'token-search', value: params.get('q') ?? '', placeholder: 'Name contains…' });
  const statusSel = h('select', { id: 'status-filter' },
    statusFilters.map(([v, label]) => h('option', { value: v, selected: v === filter }, label)));
  const ownerInput = ctx.me.admin ? h('input', { type: 'text', id: 'owner-filter', value: owner, spellcheck: 'false', autocomplete: 'off' }) : null;
  const table = h('div', { class: 'table-wrap' });
  const bulkBar = h('div', { class: 'bulk', role: 'group', 'aria-label': 'Selected tokens' });
  const resultBox = h('div', { class: 'results', 'aria-live': 'polite' });

  const go = () => {
    const p = new URLSearchParams();
    if (statusSel.value !== 'live') p.set('status', statusSel.value);
    if (ownerInput && ownerInput.value && ownerInput.value !== ctx.me.owner) p.set('owner', ownerInput.value.trim());
    if (search.value) p.set('q', search.value);
    location.hash = `#/tokens${p.toString() ? `?${p}` : ''}`;
  };
  statusSel.addEventListener('change', go);
  ownerInput?.addEventListener('change', go);
  search.addEventListener('input', () => draw());

  const visible = () => shown(items, filter, search.value);

  function empty() {
    if (items.some((t) => filter !== 'live' || live(t))) return 'No token matches the search.';
    const whose = owner !== ctx.me.owner ? ` for ${owner}` : '';
    if (filter === 'live' || filter === 'all') return `No tokens${whose} yet.${filter === 'live' && items.length ? ' Revoked ones are under "All".' : ''}`;
    return `No ${filter} tokens${whose}.`;
  }

  function draw() {
    const rows = visible();
    const all = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select all shown tokens',
      checked: rows.length > 0 && rows.every((t) => selected.has(t.id)),
      indeterminate: rows.some((t) => selected.has(t.id)) && !rows.every((t) => selected.has(t.id)) });
    all.addEventListener('change', () => {
      for (const t of rows) all.checked ? selected.add(t.id) : selected.delete(t.id);
      draw();
    });
    const now = Date.now();
    replace(table, rows.length === 0
      ? h('p', { class: 'empty' }, empty())
      : h('table', {},
        h('caption', { class: 'sr-only' }, `Tokens of ${owner}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all), ['Name', 'Status', 'Scopes', 'Expires', 'Last used'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((t) => {
          const box = h('input', { type: 'checkbox', checked: selected.has(t.id), 'aria-label': `Select ${t.name}` });
          box.addEventListener('change', () => { box.checked ? selected.add(t.id) : selected.delete(t.id); drawBulk(); syncAll(); });
          return h('tr', { 'data-id': t.id },
            h('td', {}, box),
            h('th', { scope: 'row' }, h('a', { href: `#/tokens/${t.id}` }, t.name), t.description ? h('div', { class: 'muted small' }, t.description) : null),
            h('td', { 'data-label': 'Status' }, badge(t.status), t.ownerDisabled ? badge('owner-disabled') : null),
            h('td', { 'data-label': 'Scopes' }, h('span', { class: 'small' }, t.scopes.join(', '))),
            h('td', { 'data-label': 'Expires' }, time(t.expiresAt), expiring(t, now) ? h('span', { class: 'badge badge-soon', title: `expires ${ago(t.expiresAt, now)}` }, `expires ${ago(t.expiresAt, now)}`) : null),
            h('td', { 'data-label': 'Last used' }, t.lastUsedAt ? [time(t.lastUsedAt), t.lastUsedIp ? h('div', { class: 'muted small' }, t.lastUsedIp) : null] : h('span', { class: 'muted' }, 'never')));
        }))));
    if (rows.length) table.append(h('p', { class: 'hint' }, `Last use is ${freshness(ctx.config.lastUsedIntervalSeconds)}.`));
    if (more) table.append(h('p', { class: 'hint' }, `Showing the newest ${items.length}. Narrow the list with the status filter.`));
    drawBulk();
  }
  function syncAll() {
    const rows = visible();
    const all = table.querySelector('#select-all');
    if (!all) return;
    all.checked = rows.length > 0 && rows.every((t) => selected.has(t.id));
    all.indeterminate = rows.some((t) => selected.has(t.id)) && !all.checked;
  }

  function drawBulk() {
    const n = selected.size;
    replace(bulkBar,
      h('span', {}, n ? `${count(n, 'token')} selected` : 'Select tokens to act on several at once.'),
      h('button', { type: 'button', disabled: !n, onclick: () => bulk('deactivate') }, 'Deactivate'),
      h('button', { type: 'button', disabled: !n, onclick: () => bulk('activate') }, 'Activate'),
      h('button', { type: 'button', class: 'danger', disabled: !n, onclick: () => bulk('revoke') }, 'Revoke'));
  }

  async function bulk(action) {
    clearNotice();
    const ids = [...selected];
    const names = ids.map((id) => items.find((t) => t.id === id)?.name ?? id);
    if (action === 'revoke' && !await confirm('Revoke tokens?', `Revoke ${count(ids.length, 'token')} (${names.join(', ')})? Revoked tokens stop working at once and cannot be restored.`, `Revoke ${count(ids.length, 'token')}`)) return;
    let done = 0;
    const failed = [];
    try {
      for (let i = 0; i < ids.length; i += 100) {
        const { results } = await ctx.api.post(`/tokens/${action}`, { ids: ids.slice(i, i + 100) });
        for (const r of results) {
          if (r.status === 200) done++;
          else failed.push(`${items.find((t) => t.id === r.id)?.name ?? r.id}: ${r.error?.detail || r.error?.title || r.status}`);
        }
      }
    } catch (err) {
      failed.push(err.message);
    }
    selected.clear();
    const verb = { deactivate: 'Deactivated', activate: 'Activated', revoke: 'Revoked' }[action];
    announce(`${verb} ${count(done, 'token')}${failed.length ? `, ${failed.length} refused` : ''}.`, failed.length ? 'warn' : 'ok');
    replace(resultBox, failed.length ? h('div', { class: 'alert', role: 'alert' }, h('p', {}, `Not ${action}d:`), h('ul', {}, failed.map((f) => h('li', {}, f)))) : null);
    await load();
    draw();
  }

  const refresh = async () => {
    clearNotice();
    await load();
    draw();
    announce(`List refreshed: ${count(visible().length, 'token')}.`);
  };
  const generate = async () => {
    clearNotice();
    if (await generateDialog(ctx, owner)) {
      await load();
      draw();
    }
  };

  replace(view,
    h('div', { class: 'page-head' },
      h('h1', {}, owner === ctx.me.owner ? 'Your tokens' : `Tokens of ${owner}`),
      h('button', { type: 'button', class: 'primary', onclick: generate }, 'Generate token')),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'status-filter' }, 'Status'), statusSel),
      h('div', { class: 'field grow' }, h('label', { for: 'token-search' }, 'Search by name'), search),
      ownerInput ? h('div', { class: 'field' }, h('label', { for: 'owner-filter' }, 'Owner'), ownerInput) : null,
      h('button', { type: 'button', onclick: refresh }, 'Refresh')),
    bulkBar, resultBox, table);
  draw();
  return view;
}
