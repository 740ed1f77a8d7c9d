// Form plumbing: labelled fields with a place for their error, and the
// API's problem+json shown next to the field it names (errors[].field),
// or above the form when it names none.
import { ApiError } from './api.js';
import { h, replace } from './dom.js';

let seq = 0;

// field wraps a control with its label, a hint and an error slot, linked
// by aria-describedby. name is the API's field name (data-field).
export function field(label, control, { hint = '', name = '' } = {}) {
  const id = control.id || `f${++seq}`;
  control.id = id;
  if (name) control.dataset.field = name;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hintEl?.id, errEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control, errEl);
}

// fieldset groups checkboxes or radios under a legend, with an error slot.
export function group(legend, name, ...controls) {
  const errEl = h('p', { class: 'field-error', id: `g${++seq}-error`, hidden: true });
  const fs = h('fieldset', { 'data-field': name, 'aria-describedby': errEl.id }, h('legend', {}, legend), ...controls, errEl);
  return fs;
}

export function formAlert() {
  return h('div', { class: 'alert', role: 'alert', hidden: true });
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

// showError puts an API error where it belongs: each field problem beside
// its field, and the detail above the form. The first invalid field gets
// the focus.
export function showError(form, err) {
  clearErrors(form);
  const alert = form.querySelector('.alert');
  const unplaced = [];
  let first = null;
  const errors = err instanceof ApiError ? err.errors : [];
  for (const e of errors) {
    const name = String(e.field ?? '').replace(/\[\d+\]$/, '');
    const control = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (control) {
      setFieldError(control, e.detail);
      first ??= control;
    } else {
      unplaced.push(`${e.field}: ${e.detail}`);
    }
  }
  if (alert) {
    alert.hidden = false;
    replace(alert, h('p', {}, err.message), unplaced.length ? h('ul', {}, unplaced.map((u) => h('li', {}, u))) : null);
  }
  (first?.matches('fieldset') ? first.querySelector('input') : first)?.focus();
  if (!first) alert?.focus?.();
}

// busy disables a form's buttons while fn runs.
export async function busy(form, fn) {
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
