// Small DOM helpers. Everything the console shows goes through h() and text
// nodes, never innerHTML, so nothing an API answer holds is parsed as markup.
import { formatWhen } from './dates.js';

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

let seq = 0;

// nextId is an element id no other element of the page has: a counter, so
// ids are the same from one load to the next.
export function nextId(prefix) {
  return `${prefix}-${++seq}`;
}

// time renders an instant in the one date format, with the instant itself
// in datetime= and in the tooltip.
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: iso }, formatWhen(iso));
}

// badge is a status pill; its text is the status, so colour is never the
// only signal.
export function badge(status, extra = '') {
  return h('span', { class: `badge badge-${status} ${extra}`.trim() }, status);
}

// dialog opens a modal <dialog> built by build(close) and resolves with what
// close() was given; the dialog is removed from the DOM when it closes, so
// nothing it held (a secret) stays behind.
export function dialog(label, build) {
  return new Promise((resolve) => {
    let result;
    // Emptied at once, not only when the (asynchronous) close event comes.
    const close = (value) => { result = value; d.close(); d.replaceChildren(); };
    const title = nextId('dialog-title');
    const d = h('dialog', { 'aria-labelledby': title, class: 'dialog' });
    d.append(h('h2', { id: title }, label), ...[build(close, d)].flat());
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
