// The management API, called with the signed-in person's ID token. Paths
// are relative to the page, so a console served under a stage or a base
// path calls the API under the same one.

// ApiError is a refused call: the problem+json the API answered (RFC 9457),
// or one made up for a network fault.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.type = problem.type ?? '';
    this.title = problem.title ?? '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.requestId ?? '';
  }
}

// base is the page's directory: the API's root, as the page is served.
const base = () => new URL('.', document.baseURI);

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async call(method, path, body, extra = {}) {
    const headers = { ...extra, Authorization: `Bearer ${this.token}`, Accept: 'application/json, application/problem+json' };
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(new URL(path.replace(/^\//, ''), base()), init);
    } catch {
      throw new ApiError(0, { title: 'Network error', detail: 'The API did not answer. Check your connection and try again.' });
    }
    const text = await res.text();
    let data = {};
    if (text) {
      try { data = JSON.parse(text); } catch { data = { detail: `The API answered ${res.status} with a body that is not JSON.` }; }
    }
    if (res.ok) return data;
    if (res.status === 401) this.onUnauthorized?.();
    // API Gateway's own refusals ({"message": ...}) are not problem+json.
    if (!data.title && data.message) data = { title: res.statusText, detail: data.message };
    if (res.status === 403 && !data.detail) data.detail = 'You are not allowed to do that.';
    throw new ApiError(res.status, data);
  }

  get(path) { return this.call('GET', path); }
  post(path, body = {}, headers = {}) { return this.call('POST', path, body, headers); }
  patch(path, body) { return this.call('PATCH', path, body); }
  put(path, body) { return this.call('PUT', path, body); }
  del(path) { return this.call('DELETE', path); }

  // all follows nextCursor until the list ends (or max items).
  async all(path, max = 1000) {
    const items = [];
    let cursor = '';
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = await this.get(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items ?? []));
      cursor = page.nextCursor ?? '';
    } while (cursor && items.length < max);
    return { items, more: Boolean(cursor) };
  }
}

// q encodes one path segment.
export const q = encodeURIComponent;
