// The scope picker of the generate and edit dialogs: every scope of the
// catalogue with its description, the bundles as shortcuts, a search box
// and "only checked". Scopes the caller cannot grant are shown, disabled,
// so people see what exists and why they cannot pick it.
import { h, replace } from './dom.js';
import { group } from './forms.js';

// held is every scope the caller may grant: their own and what those
// imply (admins: everything).
export function held(me, catalogue) {
  if (me.admin) return new Set(catalogue.scopes.map((s) => s.name));
  const mine = new Set(me.scopes);
  for (const s of catalogue.scopes) {
    if (mine.has(s.name)) for (const i of s.implies) mine.add(i);
  }
  return mine;
}

// scopePicker returns {el, selected()}. offered limits the scopes shown
// (edit: only the token's own); checked are ticked at the start.
export function scopePicker(catalogue, grantable, { offered = null, checked = [], legend = 'Scopes' } = {}) {
  const scopes = catalogue.scopes.filter((s) => !offered || offered.includes(s.name));
  const boxes = new Map();
  const rows = scopes.map((s) => {
    const can = grantable.has(s.name);
    const box = h('input', { type: 'checkbox', name: 'scope', value: s.name, checked: checked.includes(s.name), disabled: !can, id: `scope-${s.name.replace(/[^A-Za-z0-9-]/g, '-')}` });
    boxes.set(s.name, box);
    const desc = h('span', { class: 'scope-desc', id: `${box.id}-desc` }, s.description, can ? '' : ' (you do not hold this scope)');
    box.setAttribute('aria-describedby', desc.id);
    return h('li', { class: 'scope', 'data-scope': s.name }, h('label', { for: box.id }, box, h('code', {}, s.name)), desc);
  });

  const bundleBoxes = [];
  const bundles = Object.entries(catalogue.bundles ?? {})
    .filter(([, members]) => members.some((m) => boxes.has(m)))
    .map(([name, members]) => {
      const usable = members.every((m) => boxes.has(m) && !boxes.get(m).disabled);
      const box = h('input', { type: 'checkbox', id: `bundle-${name.replace(/[^A-Za-z0-9-]/g, '-')}`, disabled: !usable });
      box.addEventListener('change', () => {
        for (const m of members) if (boxes.has(m)) boxes.get(m).checked = box.checked;
        sync();
      });
      bundleBoxes.push([box, members]);
      return h('li', {}, h('label', { for: box.id }, box, h('code', {}, name)), h('span', { class: 'scope-desc' }, `all of ${members.join(', ')}`));
    });

  const search = h('input', { type: 'search', id: `scope-search-${Math.random().toString(36).slice(2)}`, placeholder: 'Search scopes', 'aria-label': 'Search scopes' });
  const onlyChecked = h('input', { type: 'checkbox', id: `only-checked-${Math.random().toString(36).slice(2)}` });
  const summary = h('p', { class: 'hint', 'aria-live': 'polite' });

  function sync() {
    for (const [box, members] of bundleBoxes) {
      const n = members.filter((m) => boxes.get(m)?.checked).length;
      box.checked = n === members.length;
      box.indeterminate = n > 0 && n < members.length;
    }
    const term = search.value.trim().toLowerCase();
    let shown = 0;
    for (const li of rows) {
      const name = li.dataset.scope;
      const s = scopes.find((x) => x.name === name);
      const match = !term || name.toLowerCase().includes(term) || s.description.toLowerCase().includes(term);
      li.hidden = !match || (onlyChecked.checked && !boxes.get(name).checked);
      if (!li.hidden) shown++;
    }
    const picked = [...boxes.values()].filter((b) => b.checked).length;
    replace(summary, `${picked} selected, ${shown} of ${rows.length} shown`);
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
  return { el, selected: () => [...boxes.values()].filter((b) => b.checked).map((b) => b.value) };
}
