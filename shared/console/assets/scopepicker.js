// The scope picker of the generate and edit dialogs: every scope of the
// catalogue with its description, the bundles as shortcuts, a search box
// and "only checked". Scopes the caller cannot grant are shown, disabled,
// so people see what exists and why they cannot pick it. The logic is
// scopeset.js's; this module draws it.
import { h, nextId, replace } from './dom.js';
import { group } from './forms.js';
import { alsoGranted, bundleState, usableBundles, visible } from './scopeset.js';

// scopePicker returns {el, selected()}. offered limits the scopes shown
// (edit: only the token's own); checked are ticked at the start.
// whyNot says why a scope the caller cannot grant is disabled.
export function scopePicker(catalogue, grantable, { offered = null, checked = [], legend = 'Scopes', whyNot = () => 'you do not hold this scope' } = {}) {
  const scopes = catalogue.scopes.filter((s) => !offered || offered.includes(s.name));
  const boxes = new Map();
  const rows = scopes.map((s) => {
    const can = grantable.has(s.name);
    const box = h('input', { type: 'checkbox', name: 'scope', value: s.name, checked: checked.includes(s.name), disabled: !can, id: nextId('scope') });
    boxes.set(s.name, box);
    const desc = h('span', { class: 'scope-desc', id: `${box.id}-desc` }, s.description, can ? '' : ` (${whyNot(s.name)})`);
    box.setAttribute('aria-describedby', desc.id);
    return h('li', { class: 'scope', 'data-scope': s.name }, h('label', { for: box.id }, box, h('code', {}, s.name)), desc);
  });
  const ticked = () => new Set([...boxes].filter(([, b]) => b.checked).map(([name]) => name));

  const bundleBoxes = [];
  const bundles = usableBundles(catalogue.bundles, new Set(boxes.keys()), grantable).map(({ name, members, usable }) => {
    const box = h('input', { type: 'checkbox', id: nextId('bundle'), disabled: !usable });
    box.addEventListener('change', () => {
      for (const m of members) if (boxes.has(m)) boxes.get(m).checked = box.checked;
      sync();
    });
    bundleBoxes.push([box, members]);
    return h('li', {}, h('label', { for: box.id }, box, h('code', {}, name)), h('span', { class: 'scope-desc' }, `all of ${members.join(', ')}`));
  });

  const search = h('input', { type: 'search', id: nextId('scope-search'), placeholder: 'Search scopes', 'aria-label': 'Search scopes' });
  const onlyChecked = h('input', { type: 'checkbox', id: nextId('only-checked') });
  const summary = h('p', { class: 'hint', 'aria-live': 'polite' });

  function sync() {
    const now = ticked();
    for (const [box, members] of bundleBoxes) Object.assign(box, bundleState(members, now));
    const shown = visible(scopes, { term: search.value, onlyChecked: onlyChecked.checked, checked: now });
    for (const li of rows) li.hidden = !shown.has(li.dataset.scope);
    const implied = alsoGranted(catalogue, now);
    replace(summary, `${now.size} selected, ${shown.size} of ${rows.length} shown.`,
      implied.length ? ` Also granted by implication: ${implied.map((i) => `${i.scope} (by ${i.by})`).join(', ')}.` : '');
  }
  for (const b of boxes.values()) b.addEventListener('change', sync);
  search.addEventListener('input', sync);
  onlyChecked.addEventListener('change', sync);
  sync();

  const el = group(legend, 'scopes',
    h('div', { class: 'scope-tools' }, search, h('label', { for: onlyChecked.id, class: 'inline' }, onlyChecked, 'Only checked')),
    bundles.length ? h('div', {}, h('p', { class: 'sub' }, 'Bundles'), h('ul', { class: 'scopes' }, bundles)) : null,
    h('ul', { class: 'scopes' }, rows),
    summary);
  return { el, selected: () => [...ticked()] };
}
