// The scope catalogue: what each scope opens, searchable, and the bundles.
import { h, replace } from './dom.js';
import { held, matches } from './scopeset.js';

export async function scopesPage(ctx) {
  const catalogue = await ctx.scopes();
  const mine = held(ctx.me, catalogue);
  const search = h('input', { type: 'search', id: 'catalogue-search', placeholder: 'Scope, description or route' });
  const list = h('div', {});
  const draw = () => {
    const term = search.value.trim().toLowerCase();
    const shown = catalogue.scopes.filter((s) => matches(s, term) || s.routes.some((r) => r.toLowerCase().includes(term)));
    replace(list, shown.length === 0 ? h('p', { class: 'empty' }, 'No scope matches.') : h('dl', { class: 'catalogue' }, shown.map((s) => [
      h('dt', {}, h('code', {}, s.name), mine.has(s.name) ? h('span', { class: 'badge badge-active' }, 'you hold it') : null),
      h('dd', {}, h('p', {}, s.description),
        s.implies.length ? h('p', { class: 'small' }, `Implies ${s.implies.join(', ')}.`) : null,
        h('details', {}, h('summary', {}, `Routes (${s.routes.length})`), h('ul', { class: 'plain small' }, s.routes.map((r) => h('li', {}, h('code', {}, r)))))),
    ])));
  };
  search.addEventListener('input', draw);
  draw();
  return h('section', {},
    h('h1', {}, 'Scopes'),
    h('p', {}, 'What each scope lets a token do. A bundle stands for several scopes.'),
    h('div', { class: 'field' }, h('label', { for: 'catalogue-search' }, 'Search'), search),
    list,
    h('h2', {}, 'Bundles'),
    h('dl', { class: 'catalogue' }, Object.entries(catalogue.bundles).map(([name, scopes]) => [h('dt', {}, h('code', {}, name)), h('dd', {}, scopes.join(', '))])),
    h('h2', {}, 'Open to every caller'),
    h('ul', { class: 'plain small' }, catalogue.anyToken.map((r) => h('li', {}, h('code', {}, r)))));
}
