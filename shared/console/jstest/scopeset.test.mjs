// The scope picker's logic: what may be granted, bundles, search, "only
// checked", implications.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alsoGranted, bundleState, held, matches, usableBundles, visible, withinPlan } from '../assets/scopeset.js';

const scope = (name, description, implies = []) => ({ name, description, implies, routes: [] });
const catalogue = {
  scopes: [
    scope('tokens:read', 'List and read your own tokens.'),
    scope('tokens:write', 'Issue and revoke your own tokens.'),
    scope('tokens:admin', 'Acts on any owner.', ['tokens:read', 'tokens:write']),
    scope('orders:read', 'Example API scope: list and read orders.'),
    scope('orders:write', 'Example API scope: change orders.'),
  ],
  bundles: { 'tokens:manage': ['tokens:read', 'tokens:write'], 'orders:full': ['orders:read', 'orders:write'], 'read-only': ['tokens:read', 'orders:read'] },
};
const set = (...s) => new Set(s);

test('held: own scopes and what they imply; admins everything', () => {
  assert.deepEqual([...held({ scopes: ['tokens:read'] }, catalogue)], ['tokens:read']);
  assert.deepEqual([...held({ scopes: ['tokens:admin'] }, catalogue)].sort(), ['tokens:admin', 'tokens:read', 'tokens:write']);
  assert.equal(held({ admin: true, scopes: [] }, catalogue).size, 5);
});

test('a bundle is checked, indeterminate or clear', () => {
  const members = ['tokens:read', 'tokens:write'];
  for (const [checked, want] of [
    [set(), { checked: false, indeterminate: false }],
    [set('tokens:read'), { checked: false, indeterminate: true }],
    [set('tokens:read', 'tokens:write', 'orders:read'), { checked: true, indeterminate: false }],
  ]) {
    assert.deepEqual(bundleState(members, checked), want);
  }
});

test('bundles offered: any member shown, usable when every member may be granted', () => {
  const shownScopes = set('tokens:read', 'tokens:write');
  const got = usableBundles(catalogue.bundles, shownScopes, set('tokens:read', 'tokens:write'));
  assert.deepEqual(got.map((b) => [b.name, b.usable]), [['tokens:manage', true], ['read-only', false]]);
  assert.deepEqual(usableBundles(undefined, shownScopes, shownScopes), []);
});

test('search matches name or description; "only checked" hides the rest', () => {
  assert.ok(matches(catalogue.scopes[3], 'ORDERS'));
  assert.ok(matches(catalogue.scopes[3], ' list and '));
  assert.ok(!matches(catalogue.scopes[0], 'orders'));
  assert.ok(matches(catalogue.scopes[0], '  '));
  const names = (opts) => [...visible(catalogue.scopes, opts)].join(',');
  assert.equal(names({ term: 'read' }), 'tokens:read,orders:read');
  assert.equal(names({ onlyChecked: true, checked: set('tokens:write', 'orders:read') }), 'tokens:write,orders:read');
  assert.equal(names({ term: 'orders', onlyChecked: true, checked: set('tokens:write', 'orders:read') }), 'orders:read');
  assert.equal(names({}), 'tokens:read,tokens:write,tokens:admin,orders:read,orders:write');
});

test('implied scopes are named with what implies them', () => {
  assert.deepEqual(alsoGranted(catalogue, set('tokens:admin')), [{ scope: 'tokens:read', by: 'tokens:admin' }, { scope: 'tokens:write', by: 'tokens:admin' }]);
  assert.deepEqual(alsoGranted(catalogue, set('tokens:admin', 'tokens:read')), [{ scope: 'tokens:write', by: 'tokens:admin' }]);
  assert.deepEqual(alsoGranted(catalogue, set('orders:read')), []);
});

test('withinPlan: the plan API scopes and every management scope; no plan changes nothing', () => {
  const all = held({ admin: true, scopes: [] }, catalogue);
  assert.deepEqual([...withinPlan(all, { scopes: ['orders:read'], allScopes: false })].sort(), ['orders:read', 'tokens:admin', 'tokens:read', 'tokens:write']);
  assert.equal(withinPlan(all, { scopes: [], allScopes: true }), all);
  assert.equal(withinPlan(all, null), all);
});
