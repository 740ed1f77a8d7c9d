// The token rules the console applies before asking the API: names,
// descriptions, the list's status filter, expiry choices, and what the
// single-token policy will revoke. Pure (no DOM), so node:test runs it.
import { count, names } from './text.js';

const namePattern = /^[A-Za-z0-9-]{1,32}$/;
// The API refuses C0 and C1 controls and bidirectional overrides.
// eslint-disable-next-line no-control-regex -- finding them is the point
const badText = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const DAY = 86400000;
const SOON = 7 * DAY;

// checkName says what is wrong with a token name, or ''. taken holds the
// names of the owner's live tokens.
export function checkName(name, taken) {
  if (!name) return 'Give the token a name.';
  if (!namePattern.test(name)) return 'Use 1 to 32 letters, digits or "-".';
  if (taken.has(name)) return 'You already have a live token with this name.';
  return '';
}

// badDescription reports text the API would refuse.
export const badDescription = (text) => badText.test(text);

// live is a token that still holds its name and that the single-token
// policy would revoke: anything not revoked (an expired token too).
export const live = (t) => t.status !== 'revoked';

// usable is a token that can still be changed: active or inactive.
export const usable = (t) => t.status === 'active' || t.status === 'inactive';

// expiring marks a usable token whose expiry is within a week.
export function expiring(t, now = Date.now()) {
  const left = new Date(t.expiresAt).getTime() - now;
  return usable(t) && left > 0 && left <= SOON;
}

// statusFilters are the list's filters, the default first: each is the
// API's status= (live: every token not revoked), but "all", which asks
// for no filter.
export const statusFilters = [
  ['live', 'Live (active, inactive, expired)'],
  ['active', 'Active'],
  ['inactive', 'Inactive'],
  ['expired', 'Expired'],
  ['revoked', 'Revoked'],
  ['all', 'All, revoked too'],
];

// statusFilter is the filter a URL asks for, or the default.
export function statusFilter(param) {
  return statusFilters.some(([v]) => v === param) ? param : 'live';
}

// apiStatus is the status= the API is asked for under a filter ('' = any).
export const apiStatus = (filter) => (filter === 'all' ? '' : filter);

// shown are the tokens a filter and a name search leave.
export function shown(items, filter, term = '') {
  const t = term.trim().toLowerCase();
  return items.filter((x) => (filter !== 'live' || live(x)) && (!t || x.name.toLowerCase().includes(t)));
}

// expiryChoices are the generate dialog's presets within the deployment's
// maximum, and the one picked at first (the default lifetime when it is a
// preset, else the longest).
export function expiryChoices(config) {
  const max = config.maxLifetimeDays || 366;
  const presets = [7, 30, 60, 90].filter((d) => d <= max);
  const preferred = presets.includes(config.defaultLifetimeDays) ? config.defaultLifetimeDays : presets.at(-1);
  return { max, presets, preferred };
}

// customExpiry is the instant a custom date means: the end of that day in
// the viewer's zone, but never past the maximum lifetime from now.
export function customExpiry(date, maxDays, now = Date.now()) {
  const [y, m, d] = date.split('-').map(Number);
  const end = new Date(y, m - 1, d, 23, 59, 59).getTime();
  return new Date(Math.min(end, now + maxDays * DAY - 60000));
}

// replacing says what a new token will revoke under the single-token
// policy, for the warning shown before it is made.
export function replacing(victims) {
  return `This owner may hold one token at a time: making this token revokes ${names(victims.map((t) => t.name))} at once, wherever ${victims.length === 1 ? 'it is' : 'they are'} used. Cancel to keep ${victims.length === 1 ? 'it' : 'them'}.`;
}

// replaceLabel is the button that goes ahead anyway.
export function replaceLabel(verb, victims) {
  return `${verb} and revoke ${victims.length === 1 ? victims[0].name : count(victims.length, 'token')}`;
}

// replacedNotice says what a create revoked (the API's "replaced"), or ''.
export function replacedNotice(replaced = []) {
  if (!replaced.length) return '';
  return `Revoked ${names(replaced.map((t) => t.name))} because this owner may hold one token at a time.`;
}

// Metadata bounds, as the API checks them (manage.CheckMetadata).
const metaKey = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_META_KEYS = 16;
const MAX_META_VALUE = 256;

// parseMetadata reads "key=value" lines (blank lines skipped) into an
// object, or says what is wrong with the first bad line.
export function parseMetadata(text) {
  const pairs = {};
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    const value = eq < 0 ? '' : line.slice(eq + 1).trim();
    if (eq < 0) return { error: `Line ${i + 1}: write key=value.` };
    if (!metaKey.test(key)) return { error: `Line ${i + 1}: a key is a lower-case letter, then up to 31 lower-case letters, digits or _.` };
    if (Object.hasOwn(pairs, key)) return { error: `Line ${i + 1}: ${key} is given twice.` };
    if (new TextEncoder().encode(value).length > MAX_META_VALUE || badText.test(value)) {
      return { error: `Line ${i + 1}: a value is at most ${MAX_META_VALUE} bytes of text.` };
    }
    pairs[key] = value;
  }
  if (Object.keys(pairs).length > MAX_META_KEYS) return { error: `At most ${MAX_META_KEYS} pairs.` };
  return { pairs };
}

// metadataText is pairs as the field shows them, a line each, by key.
export const metadataText = (pairs = {}) => Object.keys(pairs).sort().map((k) => `${k}=${pairs[k]}`).join('\n');
