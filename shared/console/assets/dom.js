// Small DOM helpers. Everything the console shows goes through h() and text
// nodes, never innerHTML, so nothing an API answer holds is parsed as markup.

// h builds an element: attrs are set as attributes, except on* (listeners),
// and a few properties (value, checked, disabled, hidden) set directly.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'indeterminate') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// replace swaps an element's children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

// zone is the viewer's time zone: every time is shown in it.
export const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

// time renders an RFC 3339 instant in the viewer's zone, the instant itself
// in datetime= and in the tooltip.
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: iso }, when.format(new Date(iso)));
}

// ago says how far an instant is from now, in the largest whole unit.
export function ago(iso, now = Date.now()) {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(s) >= size) return relative.format(Math.round(s / size), unit);
  }
  return relative.format(s, 'second');
}

let liveTimer;
// announce tells screen readers (and sighted users, in the status line)
// what just happened.
export function announce(message, kind = 'ok') {
  const live = document.getElementById('live');
  live.className = `live ${kind}`;
  live.textContent = message;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => { live.textContent = ''; live.className = 'live'; }, 8000);
}

// badge is a status pill; its text is the status, so colour is never the
// only signal.
export function badge(status, extra = '') {
  return h('span', { class: `badge badge-${status} ${extra}`.trim() }, status);
}

// pluralise picks "1 token" or "3 tokens".
export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// dialog opens a modal <dialog> built by build(close) and resolves with what
// close() was given; the dialog is removed from the DOM when it closes, so
// nothing it held (a secret) stays behind.
export function dialog(label, build) {
  return new Promise((resolve) => {
    let result;
    // Emptied at once, not only when the (asynchronous) close event comes.
    const close = (value) => { result = value; d.close(); d.replaceChildren(); };
    const d = h('dialog', { 'aria-labelledby': 'dialog-title', class: 'dialog' });
    d.append(h('h2', { id: 'dialog-title' }, label), ...[build(close, d)].flat());
    d.addEventListener('close', () => {
      d.replaceChildren();
      d.remove();
      resolve(result);
    });
    document.body.append(d);
    d.showModal();
    const first = d.querySelector('[autofocus]') ?? d.querySelector('input, select, textarea, button');
    first?.focus();
  });
}

// confirm asks a yes/no question in a dialog.
export function confirm(title, message, yes, danger = true) {
  return dialog(title, (close) => [
    h('p', {}, message),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true) }, yes),
      h('button', { type: 'button', autofocus: true, onclick: () => close(false) }, 'Cancel')),
  ]);
}

// details renders an audit event's details: key: value pairs, with Unix
// times (keys ending in At) shown as times in the viewer's zone.
export function describe(details) {
  return Object.entries(details ?? {}).map(([k, v]) => {
    if (/At$/.test(k) && typeof v === 'number') v = when.format(new Date(v * 1000));
    else if (typeof v === 'object') v = Array.isArray(v) ? v.join(', ') : JSON.stringify(v);
    return `${k}: ${v}`;
  }).join('; ');
}
