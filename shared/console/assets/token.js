// A token's page: its details, the actions on it, its IP usage with
// block/unblock per address, and its audit trail.
import { ApiError, q } from './api.js';
import { describeDetails, freshness, localInput, rfc3339 } from './dates.js';
import { badge, confirm, dialog, h, nextId, replace, time } from './dom.js';
import { busy, field, formAlert, showProblem } from './forms.js';
import { announce, clearNotice } from './notices.js';
import { scopePicker } from './scopepicker.js';
import { held } from './scopeset.js';
import { secretDialog } from './secret.js';
import { liveTokens, replaceWarning, replaceable } from './single.js';
import { expiring, metadataText, replaceLabel, usable } from './tokenrules.js';
import { cidrList, descriptionInput, metadataInput, nameInput } from './tokenfields.js';

// noSuchToken is the page of a token the API does not show: it answers 404
// both for one that does not exist and for another owner's, by design, so
// the page does not claim which.
function noSuchToken() {
  return h('section', { class: 'token' },
    h('h1', {}, 'No such token'),
    h('p', {}, 'This token does not exist or is not yours. It may have been deleted after it expired, or the link may be wrong.'),
    h('p', {}, h('a', { href: '#/tokens' }, 'Back to your tokens')));
}

export async function tokenPage(ctx, id) {
  const view = h('section', { class: 'token' });
  const path = `/tokens/${q(id)}`;
  const fresh = freshness(ctx.config.lastUsedIntervalSeconds);

  // draw reads the token first: when it is not there, its usage and audit
  // are not asked for.
  async function draw() {
    const t = await ctx.api.get(path);
    const [usage, audit] = await Promise.all([ctx.api.all(`${path}/usage`, 500), ctx.api.get(`${path}/audit?limit=50`)]);
    const self = t.owner === ctx.me.owner;
    replace(view,
      h('p', { class: 'crumbs' }, h('a', { href: self ? '#/tokens' : `#/tokens?owner=${q(t.owner)}` }, self ? 'Your tokens' : `Tokens of ${t.owner}`), ' / '),
      h('div', { class: 'page-head' }, h('h1', {}, t.name), badge(t.status), expiring(t) ? h('span', { class: 'badge badge-soon' }, 'expires soon') : null),
      actions(t),
      details(t, fresh),
      usageSection(t, usage.items),
      auditSection(t, audit, (cursor) => ctx.api.get(`${path}/audit?limit=50&cursor=${encodeURIComponent(cursor)}`)));
  }

  // act runs one change and redraws; errors are announced, not thrown.
  async function act(fn, done) {
    clearNotice();
    try {
      await fn();
      if (done) announce(done);
    } catch (err) {
      announce(err.message, 'error');
    }
    await draw();
  }

  function actions(t) {
    const bar = h('div', { class: 'actions', role: 'group', 'aria-label': 'Token actions' });
    if (usable(t)) {
      bar.append(
        h('button', { type: 'button', onclick: () => editDialog(t) }, 'Edit'),
        h('button', { type: 'button', onclick: () => regenerateDialog(t) }, 'Regenerate'),
        h('button', { type: 'button', onclick: () => copyDialog(t) }, 'Copy'),
        t.status === 'active'
          ? h('button', { type: 'button', onclick: () => act(() => ctx.api.post(`${path}/deactivate`), `${t.name} deactivated.`) }, 'Deactivate')
          : h('button', { type: 'button', onclick: () => act(() => ctx.api.post(`${path}/activate`), `${t.name} activated.`) }, 'Activate'),
        h('button', { type: 'button', class: 'danger', onclick: () => revoke(t) }, 'Revoke'));
    } else if (t.status === 'expired') {
      bar.append(h('button', { type: 'button', onclick: () => regenerateDialog(t) }, 'Regenerate'),
        h('button', { type: 'button', onclick: () => copyDialog(t) }, 'Copy'),
        h('button', { type: 'button', class: 'danger', onclick: () => revoke(t) }, 'Revoke'));
    }
    return bar;
  }

  async function revoke(t) {
    clearNotice();
    if (!await confirm(`Revoke ${t.name}?`, `${t.name} stops working at once, everywhere it is used. This cannot be undone.`, 'Revoke token')) return;
    await act(() => ctx.api.del(path), `${t.name} revoked.`);
  }

  async function editDialog(t) {
    clearNotice();
    const catalogue = await ctx.scopes();
    const context = { owner: t.owner, self: t.owner === ctx.me.owner };
    const changed = await dialog(`Edit ${t.name}`, (close) => {
      const name = nameInput(new Set(), t.name);
      const desc = descriptionInput(t.description);
      const exp = h('input', { type: 'datetime-local', name: 'expiresAt', value: localInput(t.expiresAt), max: localInput(t.expiresAt), min: localInput(Date.now() + 60000) });
      const cidrs = cidrList(t.allowedCidrs);
      const meta = metadataInput(t.metadata);
      const picker = scopePicker(catalogue, held(ctx.me, catalogue), { offered: t.scopes, checked: t.scopes, legend: 'Scopes (can only be removed)' });
      const form = h('form', { novalidate: true, class: 'stack' }, formAlert(), name.wrap, desc.wrap,
        field('Expires', exp, { name: 'expiresAt', hint: 'Can only be brought closer: expiry is final.' }), cidrs.wrap, meta.wrap, picker.el,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (!name.check() || !desc.check() || !meta.check()) return;
        const body = {};
        if (name.input.value !== t.name) body.name = name.input.value;
        if (desc.input.value !== t.description) body.description = desc.input.value;
        const newExp = exp.value ? rfc3339(new Date(exp.value)) : '';
        if (newExp && localInput(newExp) !== localInput(t.expiresAt)) body.expiresAt = newExp;
        const c = cidrs.value();
        if (c.join(',') !== t.allowedCidrs.join(',')) body.allowedCidrs = c;
        // Replaced whole; {} clears it.
        if (metadataText(meta.value()) !== metadataText(t.metadata)) body.metadata = meta.value();
        const s = picker.selected();
        if (s.join(',') !== t.scopes.join(',')) body.scopes = s;
        if (!Object.keys(body).length) { close(false); return; }
        try {
          await busy(form, () => ctx.api.patch(path, body));
          close(true);
        } catch (err) {
          showProblem(form, err, context);
        }
      });
      return form;
    });
    if (changed) { announce(`${t.name} saved.`); await draw(); }
  }

  async function regenerateDialog(t) {
    clearNotice();
    const max = ctx.config.maxGraceSeconds || 604800;
    const options = [[0, 'None: the old secret stops at once'], [3600, '1 hour'], [86400, '1 day'], [604800, '7 days']].filter(([s]) => s <= max);
    const issued = await dialog(`Regenerate ${t.name}`, (close) => {
      const grace = h('select', { name: 'graceSeconds' }, options.map(([s, label]) => h('option', { value: String(s) }, label)));
      const form = h('form', { novalidate: true, class: 'stack' }, formAlert(),
        h('p', {}, 'A new secret replaces the current one. Keep the old one working for a while so you can roll the new one out.'),
        field('Grace period for the old secret', grace, { name: 'graceSeconds' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Regenerate'), h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
          close(await busy(form, () => ctx.api.post(`${path}/regenerate`, { graceSeconds: Number(grace.value) })));
        } catch (err) {
          showProblem(form, err, { owner: t.owner, self: t.owner === ctx.me.owner });
        }
      });
      return form;
    });
    if (!issued) return;
    await secretDialog(issued, `New secret for ${t.name}`);
    await draw();
  }

  async function copyDialog(t) {
    clearNotice();
    const tokens = await liveTokens(ctx, t.owner);
    // A copy is a new token of the owner: under the single-token policy it
    // revokes the owner's live tokens, this one among them.
    const victims = await replaceable(ctx, t.owner, tokens);
    const idempotencyKey = crypto.randomUUID();
    const issued = await dialog(`Copy ${t.name}`, (close) => {
      const name = nameInput(new Set(tokens.map((x) => x.name)), `${t.name}-copy`.slice(0, 32));
      const warningId = nextId('replacing');
      const form = h('form', { novalidate: true, class: 'stack' }, formAlert(),
        h('p', {}, 'A new token with the same scopes, description, expiry and allowed addresses, and a secret of its own.'),
        name.wrap,
        victims.length ? replaceWarning(victims, warningId) : null,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', 'aria-describedby': victims.length ? warningId : null }, victims.length ? replaceLabel('Copy', victims) : 'Copy token'),
          h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (!name.check()) return;
        try {
          close(await busy(form, () => ctx.api.post(`${path}/copy`, { name: name.input.value }, { 'Idempotency-Key': idempotencyKey })));
        } catch (err) {
          showProblem(form, err, { owner: t.owner, self: t.owner === ctx.me.owner });
        }
      });
      return form;
    });
    if (!issued) return;
    const target = `#/tokens/${issued.id}`;
    await secretDialog(issued, `Your new token ${issued.name}`, target);
    location.hash = target;
  }

  function usageSection(t, usage) {
    const blocked = new Set(t.blockedIps);
    const seen = new Set(usage.map((u) => u.ip));
    const rows = [...usage.map((u) => ({ ...u, blocked: blocked.has(u.ip) })),
      ...t.blockedIps.filter((ip) => !seen.has(ip)).map((ip) => ({ ip, blocked: true }))];
    const toggle = (ip, block) => act(() => (block ? ctx.api.put(`${path}/blocked-ips/${q(ip)}`) : ctx.api.del(`${path}/blocked-ips/${q(ip)}`)),
      `${ip} ${block ? 'blocked' : 'unblocked'}.`);
    const addr = h('input', { type: 'text', name: 'ip', spellcheck: 'false', autocomplete: 'off', placeholder: '198.51.100.7' });
    const form = h('form', { class: 'inline-form', novalidate: true }, formAlert(), field('Block an address', addr, { name: 'ip' }), h('button', { type: 'submit' }, 'Block'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const ip = addr.value.trim();
      try {
        await busy(form, () => ctx.api.put(`${path}/blocked-ips/${q(ip)}`));
        announce(`${ip} blocked.`);
        await draw();
      } catch (err) {
        showProblem(form, err, { owner: t.owner, self: t.owner === ctx.me.owner });
      }
    });
    return h('section', { 'aria-labelledby': 'usage-h' },
      h('h2', { id: 'usage-h' }, 'IP usage'),
      h('p', { class: 'hint' }, `The addresses that used this token and their request counts, ${fresh}.`),
      rows.length === 0 ? h('p', { class: 'empty' }, 'Not used from any address yet.') : h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'sr-only' }, `Addresses that used ${t.name}`),
        h('thead', {}, h('tr', {}, ['Address', 'First seen', 'Last seen', 'Requests', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((u) => h('tr', { 'data-ip': u.ip },
          h('th', { scope: 'row' }, h('code', {}, u.ip)),
          h('td', {}, time(u.firstSeen)), h('td', {}, time(u.lastSeen)), h('td', { class: 'num' }, u.count ?? '—'),
          h('td', {}, u.blocked ? badge('blocked') : badge('allowed')),
          h('td', {}, usable(t) ? h('button', { type: 'button', class: u.blocked ? '' : 'danger', 'aria-label': `${u.blocked ? 'Unblock' : 'Block'} ${u.ip}`, onclick: () => toggle(u.ip, !u.blocked) }, u.blocked ? 'Unblock' : 'Block') : null)))))),
      usable(t) ? form : null);
  }

  try {
    await draw();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return noSuchToken();
    throw err;
  }
  return view;
}

function details(t, fresh) {
  const row = (k, ...v) => [h('dt', {}, k), h('dd', {}, ...v)];
  return h('dl', { class: 'details' },
    row('Description', t.description || h('span', { class: 'muted' }, 'none')),
    row('Owner', t.owner, t.ownerDisabled ? [' ', badge('owner-disabled')] : null),
    row('Id', h('code', {}, t.id)),
    row('Scopes', h('ul', { class: 'plain' }, t.scopes.map((s) => h('li', {}, h('code', {}, s),
      (t.scopesOutsidePlan ?? []).includes(s) ? h('span', { class: 'muted' }, ' (not in the owner\'s plan: opens nothing until the plan grants it)') : null)))),
    row('Created', time(t.createdAt)),
    row('Expires', time(t.expiresAt)),
    t.prevValidUntil ? row('Previous secret works until', time(t.prevValidUntil)) : [],
    t.revokedAt ? row('Revoked', time(t.revokedAt)) : [],
    row('Last used', t.lastUsedAt ? [time(t.lastUsedAt), t.lastUsedIp ? ` from ${t.lastUsedIp}` : ''] : 'never',
      h('div', { class: 'hint' }, `${fresh[0].toUpperCase()}${fresh.slice(1)}.`)),
    row('Allowed addresses', t.allowedCidrs.length ? t.allowedCidrs.join(', ') : 'any'),
    t.metadata ? row('Metadata', h('ul', { class: 'plain' }, Object.entries(t.metadata).sort().map(([k, v]) => h('li', {}, h('code', {}, k), ` = ${v}`))),
      h('div', { class: 'hint' }, 'Passed to your API as meta_<key> in the authorizer context.')) : []);
}

function auditSection(t, audit, next) {
  const row = (e) => h('tr', {},
    h('td', {}, time(e.at)), h('td', {}, e.action), h('td', {}, e.actor), h('td', {}, e.sourceIp ?? ''), h('td', { class: 'small' }, describeDetails(e.details)));
  const body = h('tbody', {}, (audit.items ?? []).map(row));
  let cursor = audit.nextCursor ?? '';
  const more = h('button', { type: 'button', hidden: !cursor }, 'Show older events');
  more.addEventListener('click', async () => {
    clearNotice();
    try {
      const page = await next(cursor);
      body.append(...(page.items ?? []).map(row));
      cursor = page.nextCursor ?? '';
      more.hidden = !cursor;
      announce(`${(page.items ?? []).length} older events shown.`);
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  return h('section', { 'aria-labelledby': 'audit-h' },
    h('h2', { id: 'audit-h' }, 'Audit trail'),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'sr-only' }, `What happened to ${t.name}, newest first`),
      h('thead', {}, h('tr', {}, ['When', 'Action', 'By', 'From', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
      body)),
    more);
}
