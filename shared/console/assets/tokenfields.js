// The fields of a token's forms (generate, edit, copy): name, description,
// expiry and allowed addresses, each checked as it is filled in.
import { formatWhen, isoDate, rfc3339 } from './dates.js';
import { h, replace } from './dom.js';
import { field, group, setFieldError } from './forms.js';
import { badDescription, checkName, customExpiry, expiryChoices, metadataText, parseMetadata } from './tokenrules.js';

const DAY = 86400000;

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
    setFieldError(input, badDescription(input.value) ? 'Remove control characters.' : '');
  };
  input.addEventListener('input', update);
  update();
  const wrap = field('Description (optional)', input, { name: 'description', hint: 'Up to 1024 characters: what the token is for.' });
  wrap.append(counter);
  return { wrap, input, check: () => !badDescription(input.value) };
}

// expiryInput offers the presets that fit the maximum and a custom date,
// whose field shows only when "Custom date" is picked.
export function expiryInput(config) {
  const { max, presets, preferred } = expiryChoices(config);
  const radios = presets.map((d) => h('label', { class: 'inline' },
    h('input', { type: 'radio', name: 'expiry', value: String(d), checked: d === preferred }), `${d} days`));
  const custom = h('input', { type: 'radio', name: 'expiry', value: 'custom', checked: presets.length === 0 });
  const today = new Date();
  // The last whole day within the maximum, counted from now.
  const last = new Date(today.getTime() + (max - 1) * DAY);
  const date = h('input', { type: 'date', name: 'expiresAt', min: isoDate(new Date(today.getTime() + DAY)), max: isoDate(last), 'aria-label': 'Custom expiry date' });
  const when = h('p', { class: 'hint', 'aria-live': 'polite' });
  const el = group(`Expires (at most ${max} days)`, 'expiresAt', ...radios,
    h('label', { class: 'inline' }, custom, 'Custom date'), date, when);
  const picked = () => el.querySelector('input[name=expiry]:checked')?.value;
  const value = () => {
    const p = picked();
    if (p !== 'custom') return { expiresInDays: Number(p) };
    return date.value ? { expiresAt: rfc3339(customExpiry(date.value, max)) } : {};
  };
  const explain = () => {
    const isCustom = picked() === 'custom';
    date.hidden = date.disabled = !isCustom;
    const v = value();
    const at = v.expiresInDays ? Date.now() + v.expiresInDays * DAY : v.expiresAt;
    replace(when, at ? `Expires ${formatWhen(at)}.` : '');
  };
  el.addEventListener('change', explain);
  el.addEventListener('input', explain);
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

// metadataInput is the token's key=value pairs, which the API behind the
// authorizer receives as meta_<key>; checked as typed.
export function metadataInput(value = {}) {
  const input = h('textarea', { name: 'metadata', rows: 3, value: metadataText(value), spellcheck: 'false', placeholder: 'customer=acme-42' });
  const wrap = field('Metadata (optional)', input, { name: 'metadata',
    hint: 'One key=value per line, up to 16; your API receives each as meta_<key>. Keys: lower-case letters, digits, _.' });
  const check = () => { const r = parseMetadata(input.value); setFieldError(input, r.error || ''); return !r.error; };
  input.addEventListener('input', check);
  return { wrap, check, value: () => parseMetadata(input.value).pairs || {} };
}

export function cidrList(value = []) {
  const input = h('textarea', { name: 'allowedCidrs', rows: 2, value: value.join('\n'), spellcheck: 'false', placeholder: '203.0.113.0/24' });
  return { wrap: field('Allowed source addresses (optional)', input, { name: 'allowedCidrs', hint: 'One address or CIDR block per line; empty allows every address.' }),
    value: () => input.value.split(/[\s,]+/).filter(Boolean) };
}
