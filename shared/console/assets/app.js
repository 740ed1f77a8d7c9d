// keymint's web console: signs in with the configured OpenID provider and
// drives the management API with the person's ID token. No build step:
// plain ES modules, served as they are.
import { Api, ApiError } from './api.js';
import { completeSignIn, providerSignOut, signIn } from './auth.js';
import { formatWhen, viewerZone } from './dates.js';
import { h, replace } from './dom.js';
import { clearNotice, keepOnlyFor } from './notices.js';
import { ownerPage, ownersPage } from './owners.js';
import { scopesPage } from './scopes.js';
import { tokenPage } from './token.js';
import { tokensPage } from './tokens.js';

const main = () => document.getElementById('main');

// ctx is what every page is given: the API client, who is signed in, the
// deployment's settings, and the scope and plan catalogues (fetched once).
const ctx = {
  config: null,
  session: null,
  api: null,
  me: null,
  catalogue: null,
  planCatalogue: null,
  async scopes() {
    this.catalogue ??= await this.api.get('/scopes');
    return this.catalogue;
  },
  async plans() {
    this.planCatalogue ??= await this.api.get('/plans');
    return this.planCatalogue;
  },
};

const routes = [
  [/^#?\/?$/, () => tokensPage(ctx, new URLSearchParams())],
  [/^#\/tokens(?:\?(.*))?$/, (m) => tokensPage(ctx, new URLSearchParams(m[1] ?? ''))],
  [/^#\/tokens\/([0-9A-Za-z]{16})$/, (m) => tokenPage(ctx, m[1])],
  [/^#\/owners$/, () => ownersPage(ctx)],
  [/^#\/owners\/([^/?#]+)$/, (m) => ownerPage(ctx, decodeURIComponent(m[1]))],
  [/^#\/scopes$/, () => scopesPage(ctx)],
];

async function route() {
  // A page reads ctx after its requests answer; by then the person may have
  // signed out (ctx emptied) or moved on, and that screen must stay.
  const session = ctx.session;
  if (!session) return;
  const hash = location.hash;
  // A notice belongs to its screen: another screen starts without it.
  keepOnlyFor(hash);
  for (const [re, page] of routes) {
    const m = re.exec(hash);
    if (!m) continue;
    markNav(hash);
    const el = main();
    replace(el, h('p', { class: 'loading' }, 'Loading…'));
    try {
      const view = await page(m);
      if (superseded(session, hash)) return;
      replace(el, view);
    } catch (err) {
      if (superseded(session, hash)) return;
      if (err instanceof ApiError && err.status === 401) return;
      replace(el, h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, err.message));
    }
    // Screen readers hear the new page's heading, keyboards start there.
    (el.querySelector('h1') ?? el).setAttribute('tabindex', '-1');
    (el.querySelector('h1') ?? el).focus({ preventScroll: false });
    return;
  }
  replace(main(), h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', h('a', { href: '#/tokens' }, 'Go to your tokens')));
}

// superseded says a page started under session at hash is no longer the
// one on screen: the person signed out or in again, or went elsewhere.
function superseded(session, hash) {
  return ctx.session !== session || location.hash !== hash;
}

function markNav(hash) {
  const section = /^#\/(\w+)/.exec(hash)?.[1] ?? 'tokens';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// signedOut shows the welcome screen. After a sign-out it also says what
// signing out did not end: the ID token this tab held stays valid until
// its exp (nothing can revoke it), so a copy of it would still be accepted.
function signedOut(message, providerUrl, validUntil) {
  ctx.session = ctx.api = ctx.me = ctx.catalogue = ctx.planCatalogue = null;
  clearNotice();
  document.getElementById('nav').hidden = true;
  replace(document.getElementById('account'));
  const again = () => signIn(ctx.config, location.hash, Boolean(sessionStorage.getItem(fresh))).catch((err) => signInFailed(err.message));
  replace(main(),
    h('section', { class: 'welcome' },
      h('h1', {}, 'keymint'),
      h('p', {}, 'Make and manage the API tokens you use with this service.'),
      message ? h('p', { class: 'notice', role: 'status' }, message) : null,
      h('button', { type: 'button', class: 'primary', onclick: again }, 'Sign in'),
      validUntil ? h('p', {}, `This tab no longer holds your sign-in. The ID token it used cannot be cancelled: it stays valid until ${formatWhen(validUntil)}.`) : null,
      providerUrl ? h('p', {}, 'You may still be signed in at your identity provider. ',
        h('a', { href: providerUrl }, 'Sign out there too')) : null));
}

// signInFailed replaces the page with why signing in failed and a way to
// start again.
function signInFailed(message) {
  sessionStorage.removeItem(auto);
  replace(main(), h('h1', {}, 'Cannot sign in'), h('p', { class: 'alert', role: 'alert' }, message),
    h('button', { type: 'button', class: 'primary', onclick: () => { location.href = new URL('.', document.baseURI).href; } }, 'Start again'));
}

// auto marks a tab that is signed in, so a reload signs in again at once
// (the provider's session answers without a password). It holds no secret.
const auto = 'keymint.auto';
// fresh marks a tab that signed out: its next sign-in asks for the login
// form, so another person can sign in.
const fresh = 'keymint.fresh';

async function signOut() {
  sessionStorage.removeItem(auto);
  sessionStorage.setItem(fresh, '1');
  signedOut('You are signed out of keymint.', providerSignOut(ctx.config), ctx.session.expiresAt);
}

function showAccount() {
  const me = ctx.me;
  replace(document.getElementById('account'),
    h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, me.owner), me.admin ? h('span', { class: 'badge badge-admin' }, 'admin') : null),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'));
  document.getElementById('nav').hidden = false;
  document.getElementById('nav-owners').hidden = !me.admin;
}

function expiryWatch() {
  const ms = ctx.session.expiresAt.getTime() - Date.now();
  // Timers far in the future fire at once in some browsers; an hour-long
  // ID token is well within range.
  setTimeout(() => {
    if (ctx.session) signedOut('Your sign-in has expired. Sign in again to go on.');
  }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
}

async function start() {
  replace(document.getElementById('foot'), `Times are shown in your time zone, ${viewerZone()}.`);
  const res = await fetch(new URL('console/config.json', document.baseURI), { cache: 'no-cache' });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    replace(main(), h('h1', {}, 'keymint'), h('p', { class: 'alert', role: 'alert' }, problem.detail || `The console's settings did not load (${res.status}).`),
      h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again'));
    return;
  }
  ctx.config = await res.json();
  if (!ctx.config.signIn) {
    replace(main(), h('h1', {}, 'keymint'), h('p', { class: 'notice' },
      'Sign-in is not configured for this deployment: set the OIDC issuer and audience (see the README\'s Sign-in section). Tokens can still be managed over the API.'));
    return;
  }
  let session;
  try {
    session = await completeSignIn(ctx.config);
  } catch (err) {
    signInFailed(err.message);
    return;
  }
  if (!session) {
    if (sessionStorage.getItem(auto)) {
      replace(main(), h('p', { class: 'loading' }, 'Signing in…'));
      await signIn(ctx.config, location.hash);
    } else {
      signedOut();
    }
    return;
  }
  sessionStorage.setItem(auto, '1');
  sessionStorage.removeItem(fresh);
  ctx.session = session;
  ctx.api = new Api(session.idToken, () => signedOut('Your sign-in is no longer accepted. Sign in again to go on.'));
  try {
    ctx.me = await ctx.api.get('/whoami');
  } catch (err) {
    // The authorizer says only "Forbidden": the reasons stay in its log.
    if (ctx.session) signInFailed(err.status === 403 ? 'keymint refused your sign-in. Your account may be disabled, not allowed to manage tokens, or have the name of an owner an operator made (keymint keeps those apart from people); ask an admin.' : err.message);
    return;
  }
  showAccount();
  expiryWatch();
  addEventListener('hashchange', route);
  await route();
}

start().catch((err) => signInFailed(err.message));
