// The generate dialog (issue a token) and the dialog that shows a new
// secret once.
import { announce, dialog, h, replace } from './dom.js';
import { busy, field, formAlert, group, setFieldError, showError } from './forms.js';
import { held, scopePicker } from './scopepicker.js';

const namePattern = /^[A-Za-z0-9-]{1,32}$/;
// The API refuses C0 and C1 controls and bidirectional overrides.
const badText = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const DAY = 86400000;

// checkName says what is wrong with a token name, or ''.
export function checkName(name, taken) {
  if (!name) return 'Give the token a name.';
  if (!namePattern.test(name)) return 'Use 1 to 32 letters, digits or "-".';
  if (taken.has(name)) return 'You already have a live token with this name.';
  return '';
}

// nameInput is a name field checked as it is typed.
export function nameInput(taken, value = '') {
  const input = h('input', { type: 'text', name: 'name', value, required: true, maxlength: 32, autocomplete: 'off', spellcheck: 'false', autofocus: true });
  const wrap = field('Name', input, { name: 'name', hint: '1–32 letters, digits or "-"; unique among your live tokens.' });
  input.addEventListener('input', () => setFieldError(input, input.value ? checkName(input.value, taken) : ''));
  return { wrap, input, check: () => { const m = checkName(input.value, taken); setFieldError(input, m); return !m; } };
}

export function descriptionInput(value = '') {
  const input = h('textarea', { name: 'description', rows: 3, maxlength: 1024, value });
  const counter = h('span', { class: 'counter', 'aria-live': 'off' });
  const update = () => {
    // Line breaks are control characters the API refuses: keep one line.
    if (/[\r\n\t]/.test(input.value)) input.value = input.value.replace(/[\r\n\t]+/g, ' ');
    replace(counter, `${[...input.value].length} / 1024`);
    setFieldError(input, badText.test(input.value) ? 'Remove control characters.' : '');
  };
  input.addEventListener('input', update);
  update();
  const wrap = field('Description (optional)', input, { name: 'description', hint: 'Up to 1024 characters: what the token is for.' });
  wrap.append(counter);
  return { wrap, input, check: () => !badText.test(input.value) };
}

function isoDate(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// expiryInput offers the presets that fit the maximum and a custom date.
function expiryInput(config) {
  const max = config.maxLifetimeDays || 366;
  const presets = [7, 30, 60, 90].filter((d) => d <= max);
  const preferred = presets.includes(config.defaultLifetimeDays) ? config.defaultLifetimeDays : presets.at(-1);
  const radios = presets.map((d) => h('label', { class: 'inline' },
    h('input', { type: 'radio', name: 'expiry', value: String(d), checked: d === preferred }), `${d} days`));
  const custom = h('input', { type: 'radio', name: 'expiry', value: 'custom', checked: presets.length === 0 });
  const today = new Date();
  // The last whole day within the maximum, counted from now.
  const last = new Date(today.getTime() + (max - 1) * DAY);
  const date = h('input', { type: 'date', name: 'expiresAt', min: isoDate(new Date(today.getTime() + DAY)), max: isoDate(last), 'aria-label': 'Custom expiry date', disabled: presets.length > 0 });
  const when = h('p', { class: 'hint', 'aria-live': 'polite' });
  const el = group(`Expires (at most ${max} days)`, 'expiresAt', ...radios,
    h('label', { class: 'inline' }, custom, 'Custom date'), date, when);
  el.dataset.field = 'expiresAt';
  const picked = () => el.querySelector('input[name=expiry]:checked')?.value;
  const explain = () => {
    date.disabled = picked() !== 'custom';
    const v = value();
    replace(when, v.expiresInDays ? `Expires ${new Date(Date.now() + v.expiresInDays * DAY).toLocaleString()}.`
      : v.expiresAt ? `Expires ${new Date(v.expiresAt).toLocaleString()}.` : '');
  };
  const value = () => {
    const p = picked();
    if (p !== 'custom') return { expiresInDays: Number(p) };
    if (!date.value) return {};
    // The end of the chosen day in the viewer's zone.
    const [y, m, d] = date.value.split('-').map(Number);
    const end = new Date(y, m - 1, d, 23, 59, 59);
    const latest = Date.now() + max * DAY - 60000;
    return { expiresAt: new Date(Math.min(end.getTime(), latest)).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  };
  el.addEventListener('change', explain);
  explain();
  return {
    el,
    value,
    check: () => {
      const ok = picked() !== 'custom' || Boolean(date.value);
      setFieldError(el, ok ? '' : 'Pick a date.');
      return ok;
    },
  };
}

export function cidrList(value = []) {
  const input = h('textarea', { name: 'allowedCidrs', rows: 2, value: value.join('\n'), spellcheck: 'false', placeholder: '203.0.113.0/24' });
  return { wrap: field('Allowed source addresses (optional)', input, { name: 'allowedCidrs', hint: 'One address or CIDR block per line; empty allows every address.' }),
    value: () => input.value.split(/[\s,]+/).filter(Boolean) };
}

// generateDialog issues a token for owner; it resolves with the issued
// token (without its secret) or undefined when cancelled.
export async function generateDialog(ctx, owner, taken) {
  const catalogue = await ctx.scopes();
  const grantable = held(ctx.me, catalogue);
  // One key per dialog: a retried submit (a timeout, a double click) can
  // never make two tokens.
  const idempotencyKey = crypto.randomUUID();
  const issued = await dialog(owner === ctx.me.owner ? 'Generate a token' : `Generate a token for ${owner}`, (close) => {
    const name = nameInput(taken);
    const desc = descriptionInput();
    const expiry = expiryInput(ctx.config);
    const picker = scopePicker(catalogue, grantable);
    const cidrs = cidrList();
    const form = h('form', { novalidate: true, class: 'stack' },
      formAlert(), name.wrap, desc.wrap, expiry.el, picker.el,
      h('details', {}, h('summary', {}, 'Advanced'), cidrs.wrap),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Generate token'),
        h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const okName = name.check(), okDesc = desc.check(), okExpiry = expiry.check();
      const scopes = picker.selected();
      setFieldError(picker.el, scopes.length ? '' : 'Pick at least one scope.');
      if (!okName || !okDesc || !okExpiry || !scopes.length) {
        form.querySelector('[aria-invalid=true]')?.focus();
        return;
      }
      const body = { name: name.input.value, scopes, ...expiry.value() };
      if (desc.input.value) body.description = desc.input.value;
      if (cidrs.value().length) body.allowedCidrs = cidrs.value();
      if (owner !== ctx.me.owner) body.owner = owner;
      try {
        close(await busy(form, () => ctx.api.post('/tokens', body, { 'Idempotency-Key': idempotencyKey })));
      } catch (err) {
        showError(form, err);
      }
    });
    return form;
  });
  if (!issued) return undefined;
  await secretDialog(issued, 'Your new token');
  return issued;
}

// secretDialog shows a token's secret once. The secret is moved out of the
// answer into this dialog's DOM and nowhere else; closing the dialog
// removes it.
export async function secretDialog(issued, title) {
  const secret = issued.token;
  delete issued.token;
  await dialog(title, (close) => {
    const value = h('input', { type: 'text', readonly: true, value: secret, class: 'secret', id: 'secret', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'secret-warning' });
    const copied = h('span', { class: 'hint', role: 'status' });
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(value.value);
        replace(copied, 'Copied to the clipboard.');
      } catch {
        value.select();
        replace(copied, 'Copying was refused: the token is selected, press Ctrl+C (⌘C).');
      }
    };
    const download = () => {
      const url = URL.createObjectURL(new Blob([`${value.value}\n`], { type: 'text/plain' }));
      const a = h('a', { href: url, download: `keymint-${issued.name}.txt`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      replace(copied, `Saved as keymint-${issued.name}.txt.`);
    };
    return [
      h('p', { class: 'warning', id: 'secret-warning', role: 'alert' },
        h('strong', {}, 'Copy this token now. '), 'It will not be shown again: keymint keeps only a keyed hash of it. If you lose it, regenerate the token.'),
      h('label', { for: 'secret' }, `Token ${issued.name}`),
      value,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: copy }, 'Copy to clipboard'),
        h('button', { type: 'button', onclick: download }, 'Download'),
        h('button', { type: 'button', onclick: () => close() }, 'Done')),
      copied,
    ];
  });
  announce(`Token ${issued.name} is ready. Its secret is no longer shown.`);
}
