// The scope catalogue's logic behind the scope picker and the catalogue
// page: what a caller may grant, bundles, implications, search.
// Pure (no DOM), so node:test runs it.

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

// bundleState is a bundle's checkbox for the scopes checked: checked when
// all its members are, indeterminate when some are.
export function bundleState(members, checked) {
  const n = members.filter((m) => checked.has(m)).length;
  return { checked: n > 0 && n === members.length, indeterminate: n > 0 && n < members.length };
}

// usableBundles are the bundles worth offering among the scopes shown:
// those with a member shown, each usable when the caller may grant every
// member.
export function usableBundles(bundles, shownScopes, grantable) {
  return Object.entries(bundles ?? {})
    .filter(([, members]) => members.some((m) => shownScopes.has(m)))
    .map(([name, members]) => ({ name, members, usable: members.every((m) => shownScopes.has(m) && grantable.has(m)) }));
}

// matches reports a scope whose name or description holds term.
export function matches(scope, term) {
  const t = term.trim().toLowerCase();
  return !t || scope.name.toLowerCase().includes(t) || scope.description.toLowerCase().includes(t);
}

// visible are the names of the scopes the picker shows for a search term
// and "only checked".
export function visible(scopes, { term = '', onlyChecked = false, checked = new Set() } = {}) {
  return new Set(scopes.filter((s) => matches(s, term) && (!onlyChecked || checked.has(s.name))).map((s) => s.name));
}

// alsoGranted are the scopes the checked ones bring by implication and
// that are not checked themselves, each with what implies it.
export function alsoGranted(catalogue, checked) {
  const out = new Map();
  for (const s of catalogue.scopes) {
    if (!checked.has(s.name)) continue;
    for (const i of s.implies) if (!checked.has(i) && !out.has(i)) out.set(i, s.name);
  }
  return [...out].map(([scope, by]) => ({ scope, by }));
}

// withinPlan narrows what may be granted to what the owner's plan allows:
// its API scopes and the management (tokens:*) scopes, which no plan
// governs. plan null (no plans configured, or every scope): unchanged.
export function withinPlan(grantable, plan) {
  if (!plan || plan.allScopes) return grantable;
  const allowed = new Set(plan.scopes);
  return new Set([...grantable].filter((s) => s.startsWith('tokens:') || allowed.has(s)));
}
