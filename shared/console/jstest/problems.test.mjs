// A refusal (problem+json) shown where it belongs, in words for a person.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain, fieldOf, placeProblem } from '../assets/problems.js';

const type = (t) => `https://keymint.dev/problems/${t}`;

test('field errors go beside their fields; the summary only holds the rest', () => {
  const fields = new Set(['name', 'allowedCidrs', 'ip']);
  for (const { name, problem, want } of [
    {
      name: 'one field, placed: said once, beside it',
      problem: { type: type('invalid-input'), message: 'ip: "999.1.1.1" is not an IP address', errors: [{ field: 'ip', detail: '"999.1.1.1" is not an IP address' }] },
      want: { placed: [{ field: 'ip', message: '"999.1.1.1" is not an IP address' }], summary: '', unplaced: [] },
    },
    {
      name: 'a list item is its list',
      problem: { message: 'bad', errors: [{ field: 'allowedCidrs[2]', detail: 'is not an IP address or CIDR block' }] },
      want: { placed: [{ field: 'allowedCidrs', message: 'is not an IP address or CIDR block' }], summary: '', unplaced: [] },
    },
    {
      name: 'no field named: the summary',
      problem: { type: type('conflict'), message: 'a live token of this owner already has that name', errors: [] },
      want: { placed: [], summary: 'a live token of this owner already has that name', unplaced: [] },
    },
    {
      name: 'a field the form lacks: listed under the summary',
      problem: { message: 'this Idempotency-Key was used with a different request', errors: [{ field: 'Idempotency-Key', detail: 'already used' }, { field: 'name', detail: 'too long' }] },
      want: { placed: [{ field: 'name', message: 'too long' }], summary: 'this Idempotency-Key was used with a different request', unplaced: ['Idempotency-Key: already used'] },
    },
    {
      name: 'no errors member at all',
      problem: { title: 'Not Found' },
      want: { placed: [], summary: 'Not Found', unplaced: [] },
    },
  ]) {
    assert.deepEqual(placeProblem(problem, fields), want, name);
  }
});

test('refusals in words, not API calls', () => {
  const notEnabled = { type: type('owner-not-enabled'), message: 'the owner is not enabled for tokens yet; an admin enables it with PUT /owners/{owner}/status {"status": "active"}' };
  assert.equal(explain(notEnabled), 'Your account is waiting for an administrator to enable tokens.');
  assert.equal(explain(notEnabled, { owner: 'carol', self: false }), 'carol is waiting to be enabled for tokens: enable it on the Owners page first.');
  assert.match(explain({ type: type('owner-disabled') }), /^Your account is disabled/);
  assert.match(explain({ type: type('owner-disabled') }, { owner: 'bob', self: false }), /^bob is disabled/);
  for (const p of [notEnabled, { type: type('owner-disabled') }]) {
    assert.doesNotMatch(explain(p), /PUT|\/owners/);
  }
  assert.equal(explain({ type: type('forbidden'), message: 'only admins may issue tokens for another owner' }), 'only admins may issue tokens for another owner');
  assert.equal(explain({}), 'The request was refused.');
  // The summary of a form speaks the same words.
  assert.equal(placeProblem(notEnabled, new Set(['name'])).summary, 'Your account is waiting for an administrator to enable tokens.');
});

test('fieldOf', () => {
  assert.equal(fieldOf('allowedCidrs[10]'), 'allowedCidrs');
  assert.equal(fieldOf('name'), 'name');
  assert.equal(fieldOf(undefined), '');
});
