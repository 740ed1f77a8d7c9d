// Form plumbing: labelled fields with a place for their error, and a
// refusal shown where it belongs (problems.js decides where): beside the
// field it names, or above the form when it names none, brought into view
// with the focus either way.
import { h, nextId, replace } from './dom.js';
import { clearNotice } from './notices.js';
import { placeProblem } from './problems.js';

// field wraps a control with its label, a hint and an error slot, linked
// by aria-describedby. name is the API's field name (data-field).
export function field(label, control, { hint = '', name = '' } = {}) {
  const id = control.id || nextId('f');
  control.id = id;
  if (name) control.dataset.field = name;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hintEl?.id, errEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control, errEl);
}

// group gathers checkboxes or radios under a legend, with an error slot.
export function group(legend, name, ...controls) {
  const errEl = h('p', { class: 'field-error', id: nextId('g-error'), hidden: true });
  return h('fieldset', { 'data-field': name, 'aria-describedby': errEl.id }, h('legend', {}, legend), ...controls, errEl);
}

// formAlert is the place above a form for what no field can show. It takes
// the focus (tabindex -1) when it says something.
export function formAlert() {
  return h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
}

function errorSlot(control) {
  if (control.tagName === 'FIELDSET') return control.querySelector(':scope > .field-error');
  return document.getElementById(`${control.id}-error`);
}

export function setFieldError(control, message) {
  const slot = errorSlot(control);
  if (!slot) return;
  if (message) {
    control.setAttribute('aria-invalid', 'true');
    slot.hidden = false;
    replace(slot, message);
  } else {
    control.removeAttribute('aria-invalid');
    slot.hidden = true;
    slot.replaceChildren();
  }
}

export function clearErrors(form) {
  for (const c of form.querySelectorAll('[data-field]')) setFieldError(c, '');
  const alert = form.querySelector('.alert');
  if (alert) { alert.hidden = true; alert.replaceChildren(); }
}

// focusInvalid moves the focus to the form's first invalid field (into a
// fieldset's first input, out of a folded "Advanced"), which also scrolls
// it into view.
export function focusInvalid(form) {
  const first = form.querySelector('[aria-invalid=true]');
  if (!first) return false;
  const target = first.matches('fieldset') ? first.querySelector('input:not([disabled])') : first;
  const folded = target?.closest('details');
  if (folded) folded.open = true;
  target?.focus();
  return true;
}

// showProblem shows a refused call in form: each field problem beside its
// field, and above the form only what no field can show, in words for a
// person (context: the owner the form acts for, and whether that is the
// person's own). The focus goes to the summary when there is one, else to
// the first invalid field, so the refusal is in view wherever the person
// had scrolled to.
export function showProblem(form, err, context = {}) {
  clearErrors(form);
  const fields = new Set([...form.querySelectorAll('[data-field]')].map((c) => c.dataset.field));
  const { placed, summary, unplaced } = placeProblem(err, fields, context);
  for (const p of placed) setFieldError(form.querySelector(`[data-field="${CSS.escape(p.field)}"]`), p.message);
  const alert = form.querySelector('.alert');
  if (summary && alert) {
    alert.hidden = false;
    replace(alert, h('p', {}, summary), unplaced.length ? h('ul', {}, unplaced.map((u) => h('li', {}, u))) : null);
    alert.focus();
    alert.scrollIntoView({ block: 'nearest' });
    return;
  }
  focusInvalid(form);
}

// busy disables a form's buttons while fn runs; the last action's notice
// goes, since it is not about this one.
export async function busy(form, fn) {
  clearNotice();
  const buttons = [...form.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}
