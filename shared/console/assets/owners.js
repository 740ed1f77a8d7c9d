// Admin pages: the owners with their status, plan and token counts (those
// waiting to be enabled first in mind), enabling and disabling an owner,
// its single-token policy and plan, its quota's use, and its audit trail.
import { ApiError, q } from './api.js';
import { describeDetails } from './dates.js';
import { badge, confirm, h, replace, time } from './dom.js';
import { announce, clearNotice } from './notices.js';
import { names } from './text.js';

function adminOnly(ctx) {
  if (ctx.me.admin) return null;
  return h('section', {}, h('h1', {}, 'Owners'), h('p', { class: 'notice' }, 'Only admins can see owners.'));
}

async function setStatus(ctx, o, status) {
  clearNotice();
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
  clearNotice();
  try {
    await ctx.api.patch(`/owners/${q(o.owner)}`, { singleToken });
    announce(`${o.owner}: ${singleToken ? 'one token at a time' : 'any number of tokens'}.`);
  } catch (err) {
    announce(err.message, 'error');
  }
}

async function setPlan(ctx, o, plan) {
  clearNotice();
  if (!await confirm(`Move ${o.owner} to ${plan.name}?`,
    `From now on ${o.owner}'s new tokens may hold only the API scopes ${plan.name} grants (${plan.scopes.join(', ') || 'no API scope'}), and its live tokens count only those scopes within seconds. Tokens keep the scopes they hold: moving back restores them.`,
    `Move to ${plan.name}`, false)) return false;
  try {
    await ctx.api.patch(`/owners/${q(o.owner)}`, { plan: plan.name });
    announce(`${o.owner} is on ${plan.name}.`);
    return true;
  } catch (err) {
    announce(err.message, 'error');
    return false;
  }
}

// planControl shows the owner's plan and, where the deployment has more
// than one, lets an admin move it.
function planControl(ctx, o, plans, redraw) {
  if (plans.items.length < 2) return h('span', {}, o.plan);
  const sel = h('select', { id: 'owner-plan', 'aria-label': `Plan of ${o.owner}` },
    plans.items.map((p) => h('option', { value: p.name, selected: p.name === o.plan }, p.name)));
  const move = h('button', { type: 'button', onclick: async () => {
    const plan = plans.items.find((p) => p.name === sel.value);
    if (plan && plan.name !== o.plan && await setPlan(ctx, o, plan)) await redraw();
  } }, 'Move');
  return h('span', { class: 'row-actions' }, sel, move);
}

// limitsForm lets an admin set this owner's own limits in place of its
// plan's (blank: the plan's), with a confirmation.
function limitsForm(ctx, o, plan, redraw) {
  const ov = o.overrides ?? {};
  const num = (id, label, value, hint) => {
    const input = h('input', { type: 'number', id, min: '0', step: '1', inputmode: 'numeric', value: value ? String(value) : '', placeholder: 'plan' });
    return { input, el: h('div', { class: 'field' }, h('label', { for: id }, label), input, h('div', { class: 'hint' }, hint)) };
  };
  const live = num('limit-live', 'Most live tokens', ov.maxLiveTokens, `Blank: the plan's (${plan?.maxLiveTokens ?? 'no bound'}).`);
  const days = num('limit-days', 'Longest lifetime, days', ov.maxLifetimeDays, `Blank: the plan's (${plan?.maxLifetimeDays ?? 'MAX_LIFETIME_DAYS'}).`);
  const reqs = num('limit-quota', 'Requests per period', ov.quota?.requests, plan?.quota ? `Blank: the plan's (${plan.quota.requests.toLocaleString('en-US')} a ${plan.quota.period}).` : 'Blank: the plan\'s (none).');
  const period = h('select', { id: 'limit-period', 'aria-label': 'Quota period' },
    ['day', 'week', 'month'].map((p) => h('option', { value: p, selected: p === (ov.quota?.period ?? plan?.quota?.period ?? 'month') }, p)));
  const form = h('form', { class: 'stack limits' },
    h('h2', {}, 'Limits'),
    h('p', { class: 'hint' }, `What ${o.owner} may do in place of its plan's limits. Each blank field keeps the plan's.`),
    live.el, days.el, h('div', { class: 'row-actions' }, reqs.el, h('div', { class: 'field' }, h('label', { for: 'limit-period' }, 'per'), period)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save limits')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    const n = (i) => (i.value === '' ? 0 : Number(i.value));
    const body = { maxLiveTokens: n(live.input), maxLifetimeDays: n(days.input), quota: { requests: n(reqs.input), period: period.value } };
    if (!await confirm(`Change ${o.owner}'s limits?`,
      `New tokens of ${o.owner} are held to them at once; a quota reaches its live tokens within seconds.`, 'Save limits', false)) return;
    try {
      await ctx.api.patch(`/owners/${q(o.owner)}`, body);
      announce(`${o.owner}'s limits saved.`);
      await redraw();
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  return form;
}

// quotaUse shows the period's use of the owner's quota as a bar.
function quotaUse(o) {
  const u = o.quota;
  if (!u) return h('span', { class: 'muted' }, 'no quota');
  const when = { day: 'today', week: 'this week', month: 'this month' }[u.period] ?? `this ${u.period}`;
  const label = `${u.used.toLocaleString('en-US')} of ${u.requests.toLocaleString('en-US')} requests ${when}`;
  return h('span', { class: 'quota' },
    h('meter', { min: '0', max: String(u.requests), value: String(Math.min(u.used, u.requests)), high: String(Math.floor(u.requests * 0.9)), 'aria-label': label }),
    ` ${label}; resets `, time(u.resetsAt), '.');
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
    const pending = items.filter((o) => o.status === 'pending').map((o) => o.owner);
    replace(view,
      h('div', { class: 'page-head' }, h('h1', {}, 'Owners')),
      h('p', { class: 'hint' }, 'Everyone who holds or asked for tokens. Disabling an owner refuses all of its tokens at once.'),
      pending.length ? h('p', { class: 'notice' }, h('strong', {}, `Waiting to be enabled: ${names(pending)}.`),
        ` ${pending.length === 1 ? 'It asked' : 'They asked'} for a token and cannot have one until an admin enables ${pending.length === 1 ? 'it' : 'them'}.`) : null,
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'sr-only' }, 'Owners'),
        h('thead', {}, h('tr', {}, ['Owner', 'Status', 'Plan', 'Live tokens', 'Last used', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((o) => h('tr', { 'data-owner': o.owner, class: o.status === 'pending' ? 'pending' : null },
          h('th', { scope: 'row' }, h('a', { href: `#/owners/${q(o.owner)}` }, o.owner)),
          h('td', {}, badge(o.status), o.status === 'pending' ? h('div', { class: 'small' }, 'waiting to be enabled') : null),
          h('td', {}, o.plan),
          h('td', { class: 'num' }, h('a', { href: `#/tokens?owner=${q(o.owner)}`, 'aria-label': `${o.liveTokens} live tokens of ${o.owner}` }, String(o.liveTokens))),
          h('td', {}, o.lastUsedAt ? time(o.lastUsedAt) : h('span', { class: 'muted' }, 'never')),
          h('td', {}, h('div', { class: 'row-actions' }, ownerActions(ctx, o, draw)))))))),
      more ? h('p', { class: 'hint' }, `Showing the first ${items.length} owners.`) : null);
  };
  await draw();
  return view;
}

// noSuchOwner is the page of an owner the API does not know.
function noSuchOwner(owner) {
  return h('section', { class: 'owner' },
    h('h1', {}, 'No such owner'),
    h('p', {}, `keymint knows no owner ${owner}: it has never held or asked for a token.`),
    h('p', {}, h('a', { href: '#/owners' }, 'Back to the owners')));
}

export async function ownerPage(ctx, owner) {
  const denied = adminOnly(ctx);
  if (denied) return denied;
  const view = h('section', { class: 'owner' });
  const draw = async () => {
    const [o, audit, plans] = await Promise.all([ctx.api.get(`/owners/${q(owner)}`), ctx.api.get(`/owners/${q(owner)}/audit?limit=50`), ctx.plans()]);
    replace(view,
      h('p', { class: 'crumbs' }, h('a', { href: '#/owners' }, 'Owners'), ' / '),
      h('div', { class: 'page-head' }, h('h1', {}, o.owner), badge(o.status)),
      o.status === 'pending' ? h('p', { class: 'notice' }, `${o.owner} is waiting to be enabled: it cannot have a token until an admin enables it.`) : null,
      h('div', { class: 'actions' }, ownerActions(ctx, o, draw), h('a', { href: `#/tokens?owner=${q(o.owner)}`, class: 'button' }, `Tokens of ${o.owner}`)),
      h('dl', { class: 'details' },
        h('dt', {}, 'Plan'), h('dd', {}, planControl(ctx, o, plans, draw)),
        h('dt', {}, 'Quota'), h('dd', {}, quotaUse(o)),
        h('dt', {}, 'Live tokens'), h('dd', {}, String(o.liveTokens)),
        h('dt', {}, 'Last used'), h('dd', {}, o.lastUsedAt ? time(o.lastUsedAt) : 'never'),
        h('dt', {}, 'Known since'), h('dd', {}, time(o.createdAt))),
      plans.items.every((p) => p.allScopes) ? null : limitsForm(ctx, o, plans.items.find((p) => p.name === o.plan), draw),
      h('h2', {}, 'Audit trail'),
      (audit.items ?? []).length === 0 ? h('p', { class: 'empty' }, 'No owner events yet.') : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['When', 'Action', 'By', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, audit.items.map((e) => h('tr', {}, h('td', {}, time(e.at)), h('td', {}, e.action), h('td', {}, e.actor),
          h('td', { class: 'small' }, describeDetails(e.details))))))));
  };
  try {
    await draw();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return noSuchOwner(owner);
    throw err;
  }
  return view;
}
