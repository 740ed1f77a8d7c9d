// Every time the console shows, in one format: the viewer's locale and time
// zone, medium date and short time ("Jan 3, 2027, 1:03 PM"), and how long
// intervals are said. Pure (no DOM), so node:test runs it as it is.

// dateFormatter formats instants for a locale and time zone (the viewer's
// when left out); the page uses one, formatWhen, for every date it shows.
export function dateFormatter(locale, timeZone) {
  const f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  return (instant) => f.format(new Date(instant));
}

export const formatWhen = dateFormatter();

// viewerZone is the time zone every time is shown in.
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

// ago says how far an instant is from now, in the largest whole unit
// ("in 7 days", "3 hours ago").
export function ago(instant, now = Date.now()) {
  const s = Math.round((new Date(instant).getTime() - now) / 1000);
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]]) {
    if (Math.abs(s) >= size) return relative.format(Math.round(s / size), unit);
  }
  return relative.format(s, 'second');
}

// every says how often something happens that happens every seconds: "every
// 5 minutes", "every hour", "every 90 seconds" (the largest unit that
// divides it).
export function every(seconds) {
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
    }
  }
  return 'at once';
}

// freshness says how stale usage figures may be: validate writes a token's
// use at most once per LAST_USED_INTERVAL.
export function freshness(intervalSeconds) {
  return intervalSeconds > 0 ? `updated at most ${every(intervalSeconds)}` : 'updated at every use';
}

// describeDetails renders an audit event's details: key: value pairs, with
// Unix times (keys ending in At) as dates in the one format.
export function describeDetails(details, when = formatWhen) {
  return Object.entries(details ?? {}).map(([k, v]) => {
    if (/At$/.test(k) && typeof v === 'number') v = when(v * 1000);
    else if (Array.isArray(v)) v = v.join(', ');
    else if (typeof v === 'object' && v !== null && 'from' in v && 'to' in v) v = `${v.from} → ${v.to}`;
    else if (typeof v === 'object' && v !== null) v = JSON.stringify(v);
    return `${k}: ${v}`;
  }).join('; ');
}

const pad = (n) => String(n).padStart(2, '0');

// isoDate is a date input's value (YYYY-MM-DD) for d in the viewer's zone.
export function isoDate(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// localInput is a datetime-local input's value for an instant, in the
// viewer's zone, to the minute.
export function localInput(instant) {
  const d = new Date(instant);
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// rfc3339 is an instant as the API takes it: UTC, whole seconds.
export function rfc3339(instant) {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
