// Admin pages: the owners with their status and token counts, enabling and
// disabling an owner, its single-token policy, and its audit trail.
import { q } from './api.js';
import { announce, badge, confirm, describe, h, replace, time } from './dom.js';

function adminOnly(ctx) {
  if (ctx.me.admin) return null;
  return h('section', {}, h('h1', {}, 'Owners'), h('p', { class: 'notice' }, 'Only admins can see owners.'));
}

async function setStatus(ctx, o, status) {
  if (status === 'disabled' && !await confirm(`Disable ${o.owner}?`,
    `Every token of ${o.owner} stops working at once, and ${o.owner} cannot sign in to manage tokens until enabled again.`, `Disable ${o.owner}`)) return false;
  try {
    await ctx.api.put(`/owners/${q(o.owner)}/status`, { status });
    announce(`${o.owner} ${status === 'active' ? 'enabled' : 'disabled'}.`);
    return true;
  } catch (err) {
    announce(err.message, 'error');
    return false;
  }
}

async function setSingle(ctx, o, singleToken) {
  try {
    await ctx.api.patch(`/owners/${q(o.owner)}`, { singleToken });
    announce(`${o.owner}: ${singleToken ? 'one token at a time' : 'any number of tokens'}.`);
  } catch (err) {
    announce(err.message, 'error');
  }
}

function ownerActions(ctx, o, redraw) {
  const single = h('input', { type: 'checkbox', checked: o.singleToken, id: `single-${o.owner.replace(/[^A-Za-z0-9-]/g, '-')}` });
  single.addEventListener('change', async () => { await setSingle(ctx, o, single.checked); await redraw(); });
  return [
    o.status === 'active'
      ? h('button', { type: 'button', class: 'danger', 'aria-label': `Disable ${o.owner}`, onclick: async () => { if (await setStatus(ctx, o, 'disabled')) await redraw(); } }, 'Disable')
      : h('button', { type: 'button', class: 'primary', 'aria-label': `Enable ${o.owner}`, onclick: async () => { if (await setStatus(ctx, o, 'active')) await redraw(); } }, 'Enable'),
    h('label', { for: single.id, class: 'inline' }, single, h('span', { class: 'sr-only' }, `${o.owner}: `), 'Single token'),
  ];
}

export async function ownersPage(ctx) {
  const denied = adminOnly(ctx);
  if (denied) return denied;
  const view = h('section', { class: 'owners' });
  const draw = async () => {
    const { items, more } = await ctx.api.all('/owners');
    replace(view,
      h('div', { class: 'page-head' }, h('h1', {}, 'Owners')),
      h('p', { class: 'hint' }, 'Everyone who holds or asked for tokens. Disabling an owner refuses all of its tokens at once.'),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'sr-only' }, 'Owners'),
        h('thead', {}, h('tr', {}, ['Owner', 'Status', 'Live tokens', 'Last used', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((o) => h('tr', { 'data-owner': o.owner },
          h('th', { scope: 'row' }, h('a', { href: `#/owners/${q(o.owner)}` }, o.owner)),
          h('td', {}, badge(o.status)),
          h('td', { class: 'num' }, h('a', { href: `#/tokens?owner=${q(o.owner)}`, 'aria-label': `${o.liveTokens} live tokens of ${o.owner}` }, String(o.liveTokens))),
          h('td', {}, o.lastUsedAt ? time(o.lastUsedAt) : h('span', { class: 'muted' }, 'never')),
          h('td', {}, h('div', { class: 'row-actions' }, ownerActions(ctx, o, draw)))))))),
      more ? h('p', { class: 'hint' }, `Showing the first ${items.length} owners.`) : null);
  };
  await draw();
  return view;
}

export async function ownerPage(ctx, owner) {
  const denied = adminOnly(ctx);
  if (denied) return denied;
  const view = h('section', { class: 'owner' });
  const draw = async () => {
    const [o, audit] = await Promise.all([ctx.api.get(`/owners/${q(owner)}`), ctx.api.get(`/owners/${q(owner)}/audit?limit=50`)]);
    replace(view,
      h('p', { class: 'crumbs' }, h('a', { href: '#/owners' }, 'Owners'), ' / '),
      h('div', { class: 'page-head' }, h('h1', {}, o.owner), badge(o.status)),
      h('div', { class: 'actions' }, ownerActions(ctx, o, draw), h('a', { href: `#/tokens?owner=${q(o.owner)}`, class: 'button' }, `Tokens of ${o.owner}`)),
      h('dl', { class: 'details' },
        h('dt', {}, 'Live tokens'), h('dd', {}, String(o.liveTokens)),
        h('dt', {}, 'Last used'), h('dd', {}, o.lastUsedAt ? time(o.lastUsedAt) : 'never'),
        h('dt', {}, 'Known since'), h('dd', {}, time(o.createdAt))),
      h('h2', {}, 'Audit trail'),
      (audit.items ?? []).length === 0 ? h('p', { class: 'empty' }, 'No owner events yet.') : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['When', 'Action', 'By', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, audit.items.map((e) => h('tr', {}, h('td', {}, time(e.at)), h('td', {}, e.action), h('td', {}, e.actor),
          h('td', { class: 'small' }, describe(e.details))))))));
  };
  await draw();
  return view;
}
