// Where a refusal is shown and in what words: the API's problem+json
// (RFC 9457) names the fields at fault in errors[].field, and its type says
// what kind of refusal it is. Pure (no DOM), so node:test runs it.

// kind is the last segment of a problem type URI
// (https://keymint.dev/problems/owner-not-enabled → owner-not-enabled).
const kind = (type) => String(type ?? '').replace(/^.*\//, '');

// explain says a refusal in words for the person using the console; the
// API's detail is written for API clients (it may name a route). owner is
// whose token it was about, self whether that is the person's own.
export function explain(problem, { owner = '', self = true } = {}) {
  switch (kind(problem.type)) {
    case 'owner-not-enabled':
      return self ? 'Your account is waiting for an administrator to enable tokens.'
        : `${owner} is waiting to be enabled for tokens: enable it on the Owners page first.`;
    case 'owner-disabled':
      return self ? 'Your account is disabled: no tokens can be made for it. Ask an administrator.'
        : `${owner} is disabled: enable it on the Owners page first.`;
  }
  return problem.message || problem.detail || problem.title || 'The request was refused.';
}

// fieldOf is the form field an API field names: list items are their list
// ("allowedCidrs[2]" → "allowedCidrs").
export const fieldOf = (name) => String(name ?? '').replace(/\[\d+\]$/, '');

// placeProblem decides where a refusal goes in a form that has fields (a
// Set of API field names): each error beside its field, and a summary
// above the form only when something has no field to stand beside, so
// nothing is said twice.
export function placeProblem(problem, fields, context = {}) {
  const placed = [];
  const unplaced = [];
  for (const e of problem.errors ?? []) {
    const field = fieldOf(e.field);
    if (fields.has(field)) placed.push({ field, message: e.detail });
    else unplaced.push(e.field ? `${e.field}: ${e.detail}` : e.detail);
  }
  const summary = placed.length && !unplaced.length ? '' : explain(problem, context);
  return { placed, summary, unplaced };
}
