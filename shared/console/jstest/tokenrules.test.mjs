// Token rules the console applies before it asks the API. The runner sets
// TZ=America/New_York.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiStatus, badDescription, checkName, customExpiry, expiring, expiryChoices, live,
  metadataText, parseMetadata, replaceLabel, replacedNotice, replacing, shown, statusFilter, statusFilters,
} from '../assets/tokenrules.js';

const DAY = 86400000;
const now = Date.parse('2027-01-03T18:00:00Z');
const tok = (name, status, expiresInDays = 30) => ({ id: name, name, status, expiresAt: new Date(now + expiresInDays * DAY).toISOString() });

test('names', () => {
  const taken = new Set(['deploy']);
  for (const [name, want] of [
    ['', 'Give the token a name.'],
    ['ci-2', ''],
    ['a'.repeat(32), ''],
    ['a'.repeat(33), 'Use 1 to 32 letters, digits or "-".'],
    ['with space', 'Use 1 to 32 letters, digits or "-".'],
    ['ümlaut', 'Use 1 to 32 letters, digits or "-".'],
    ['deploy', 'You already have a live token with this name.'],
  ]) {
    assert.equal(checkName(name, taken), want, JSON.stringify(name));
  }
});

test('descriptions the API refuses', () => {
  for (const [text, bad] of [['Deploys from CI', false], ['tab\there', true], ['bell\u0007', true], ['c1\u0085', true], ['rtl\u202e', true], ['isolate\u2068', true], ['émoji ✓', false]]) {
    assert.equal(badDescription(text), bad, JSON.stringify(text));
  }
});

test('the list shows live tokens unless asked for others', () => {
  const items = [tok('a', 'active'), tok('b', 'inactive'), tok('c', 'expired', -1), tok('d', 'revoked'), tok('backup', 'active')];
  const names = (filter, term) => shown(items, filter, term).map((t) => t.name).join(',');
  assert.equal(statusFilters[0][0], 'live', 'live is the default');
  for (const [param, want] of [[null, 'live'], ['', 'live'], ['bogus', 'live'], ['revoked', 'revoked'], ['all', 'all'], ['expired', 'expired']]) {
    assert.equal(statusFilter(param), want, `status=${param}`);
  }
  // Each filter is the API's status=, but all, which asks for none.
  assert.deepEqual(['live', 'all', 'revoked', 'active'].map(apiStatus), ['live', '', 'revoked', 'active']);
  assert.equal(names('live'), 'a,b,c,backup');
  assert.equal(names('all'), 'a,b,c,d,backup');
  // A single-status list is the API's already: nothing is dropped.
  assert.equal(names('revoked'), 'a,b,c,d,backup');
  assert.equal(names('live', ' BACK '), 'backup');
  assert.equal(items.filter(live).length, 4, 'expired counts as live: it holds its name');
});

test('expiring soon', () => {
  for (const [t, want] of [
    [tok('a', 'active', 7), true],
    [tok('a', 'inactive', 1), true],
    [tok('a', 'active', 8), false],
    [tok('a', 'revoked', 1), false],
    [tok('a', 'expired', -1), false],
  ]) {
    assert.equal(expiring(t, now), want, JSON.stringify(t));
  }
});

test('expiry presets within the maximum', () => {
  for (const [config, want] of [
    [{ maxLifetimeDays: 366, defaultLifetimeDays: 30 }, { max: 366, presets: [7, 30, 60, 90], preferred: 30 }],
    [{ maxLifetimeDays: 45, defaultLifetimeDays: 45 }, { max: 45, presets: [7, 30], preferred: 30 }],
    [{ maxLifetimeDays: 5, defaultLifetimeDays: 5 }, { max: 5, presets: [], preferred: undefined }],
    [{}, { max: 366, presets: [7, 30, 60, 90], preferred: 90 }],
  ]) {
    assert.deepEqual(expiryChoices(config), want);
  }
});

test('a custom date ends that day in the viewer\'s zone, within the maximum', () => {
  // 23:59:59 in New York is 04:59:59 the next day in UTC.
  assert.equal(customExpiry('2027-02-17', 366, now).toISOString(), '2027-02-18T04:59:59.000Z');
  // Past the maximum from now: capped a minute short of it.
  assert.equal(customExpiry('2027-03-01', 30, now).getTime(), now + 30 * DAY - 60000);
});

test('what the single-token policy will revoke, and did', () => {
  const one = [tok('bob-ci', 'active')];
  const three = [tok('a', 'active'), tok('b', 'expired'), tok('c', 'inactive')];
  assert.match(replacing(one), /may hold one token at a time: making this token revokes bob-ci at once, wherever it is used\. Cancel to keep it\.$/);
  assert.match(replacing(three), /revokes a, b and c at once, wherever they are used\. Cancel to keep them\.$/);
  assert.equal(replaceLabel('Generate', one), 'Generate and revoke bob-ci');
  assert.equal(replaceLabel('Copy', three), 'Copy and revoke 3 tokens');
  assert.equal(replacedNotice([{ id: 'x', name: 'bob-ci' }]), 'Revoked bob-ci because this owner may hold one token at a time.');
  assert.equal(replacedNotice([{ name: 'a' }, { name: 'b' }]), 'Revoked a and b because this owner may hold one token at a time.');
  assert.equal(replacedNotice([]), '');
  assert.equal(replacedNotice(undefined), '');
});

test('metadata', () => {
  assert.deepEqual(parseMetadata(''), { pairs: {} });
  assert.deepEqual(parseMetadata('customer=acme-42\n\n region = eu '), { pairs: { customer: 'acme-42', region: 'eu' } });
  assert.deepEqual(parseMetadata('note=a=b'), { pairs: { note: 'a=b' } });
  assert.deepEqual(parseMetadata('empty='), { pairs: { empty: '' } });
  for (const [text, want] of [
    ['customer', 'Line 1: write key=value.'],
    ['a=1\nCustomer=x', 'Line 2: a key is a lower-case letter, then up to 31 lower-case letters, digits or _.'],
    ['9lives=x', 'Line 1: a key is a lower-case letter, then up to 31 lower-case letters, digits or _.'],
    ['a=1\na=2', 'Line 2: a is given twice.'],
    [`a=${'é'.repeat(129)}`, 'Line 1: a value is at most 256 bytes of text.'],
    ['a=x\u0007', 'Line 1: a value is at most 256 bytes of text.'],
    [Array.from({ length: 17 }, (_, i) => `k${i}=v`).join('\n'), 'At most 16 pairs.'],
  ]) {
    assert.equal(parseMetadata(text).error, want, text);
  }
  assert.equal(metadataText({ region: 'eu', customer: 'acme' }), 'customer=acme\nregion=eu');
  assert.equal(metadataText(undefined), '');
});
