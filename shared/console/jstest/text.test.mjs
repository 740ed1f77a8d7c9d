import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, names } from '../assets/text.js';

test('count and names', () => {
  assert.equal(count(1, 'token'), '1 token');
  assert.equal(count(0, 'token'), '0 tokens');
  assert.equal(count(2, 'entry', 'entries'), '2 entries');
  for (const [list, want] of [[[], ''], [['a'], 'a'], [['a', 'b'], 'a and b'], [['a', 'b', 'c'], 'a, b and c']]) {
    assert.equal(names(list), want);
  }
});
