// The one date format and how intervals are said. The runner sets
// TZ=America/New_York, so the viewer's zone is known here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, dateFormatter, describeDetails, every, formatWhen, freshness, isoDate, localInput, rfc3339 } from '../assets/dates.js';

const jan3 = '2027-01-03T18:03:46Z';

test('every date is shown in one format, in the viewer\'s zone', () => {
  const us = dateFormatter('en-US', 'America/New_York');
  for (const [instant, want] of [
    [jan3, 'Jan 3, 2027, 1:03 PM'],
    [Date.parse(jan3), 'Jan 3, 2027, 1:03 PM'],
    ['2026-07-04T03:30:00Z', 'Jul 3, 2026, 11:30 PM'],
  ]) {
    assert.equal(us(instant).replace(/\s/g, ' '), want);
  }
  // The page's formatter is the viewer's locale and zone.
  assert.equal(formatWhen(jan3), new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(jan3)));
  assert.doesNotMatch(formatWhen(jan3), /:46/, 'no seconds');
});

test('ago says the largest whole unit', () => {
  const now = Date.parse(jan3);
  for (const [offset, want] of [
    [7 * 86400e3, 'in 7 days'],
    [-3 * 3600e3, '3 hours ago'],
    [90e3, 'in 2 minutes'],
    [30e3, 'in 30 seconds'],
    [86400e3, 'tomorrow'],
  ]) {
    assert.equal(ago(now + offset, now), want, `offset ${offset}`);
  }
});

test('every and freshness say LAST_USED_INTERVAL in words', () => {
  for (const [seconds, want] of [
    [300, 'every 5 minutes'],
    [60, 'every minute'],
    [90, 'every 90 seconds'],
    [3600, 'every hour'],
    [7200, 'every 2 hours'],
    [86400, 'every day'],
    [0, 'at once'],
  ]) {
    assert.equal(every(seconds), want, `${seconds}s`);
  }
  assert.equal(freshness(300), 'updated at most every 5 minutes');
  assert.equal(freshness(0), 'updated at every use');
});

test('audit details read as key: value, times in the one format', () => {
  const when = dateFormatter('en-US', 'UTC');
  assert.equal(describeDetails({ name: 'ci', scopes: ['a', 'b'], expiresAt: 1798999426, cidrs: { v: 1 }, gone: null }, when),
    `name: ci; scopes: a, b; expiresAt: ${when(1798999426000)}; cidrs: {"v":1}; gone: null`);
  assert.match(when(1798999426000), /^Jan 3, 2027, 6:03\sPM$/);
  assert.equal(describeDetails(undefined), '');
  assert.equal(describeDetails({ plan: { from: 'free', to: 'team' } }), 'plan: free → team');
});

test('input values and API instants', () => {
  assert.equal(isoDate(new Date(2027, 0, 3, 23, 59)), '2027-01-03');
  // 18:03Z is 13:03 in New York.
  assert.equal(localInput(jan3), '2027-01-03T13:03');
  assert.equal(rfc3339('2027-01-03T18:03:46.789Z'), '2027-01-03T18:03:46Z');
});
