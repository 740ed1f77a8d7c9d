// Sign-in with the configured OpenID provider: authorization code with PKCE
// (RFC 7636, S256) from the browser, a public client with no secret. The
// provider's endpoints come in config.json (the function reads its
// discovery document, so the provider need not allow CORS for it). The ID
// token lives in memory only: a reload signs in again (the provider's own
// session makes that a round trip without a password). The verifier, state
// and nonce sit in sessionStorage only between the redirect out and the
// redirect back, and are removed before the code is exchanged.

const pending = 'keymint.signin';

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));

// redirectUri is the console's own root: where the provider sends the
// browser back.
export function redirectUri() {
  return new URL('.', document.baseURI).href;
}

// signIn leaves for the provider's sign-in page. fresh asks the provider
// for its login form even when it has a session (prompt=login, OpenID
// Connect Core 1.0 §3.1.2.1): after signing out, so someone else can sign in.
export async function signIn(config, route, fresh = false) {
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random();
  const nonce = random();
  sessionStorage.setItem(pending, JSON.stringify({ verifier, state, nonce, route }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(fresh ? { prompt: 'login' } : {}),
  }).toString();
  location.assign(url.href);
}

function claims(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')));
}

// Session is a signed-in person: the ID token, its claims, and the route
// they were on before signing in.
export class Session {
  constructor(idToken, route) {
    this.idToken = idToken;
    this.claims = claims(idToken);
    this.route = route;
  }

  get expiresAt() { return new Date(this.claims.exp * 1000); }
}

// completeSignIn finishes a sign-in when the provider sent the browser back
// (?code&state or ?error), and returns the Session, or null when this load
// is not a return from the provider. The query is removed from the address
// bar either way, so the code is not left in history.
export async function completeSignIn(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has('state') || (!params.has('code') && !params.has('error'))) return null;
  const saved = JSON.parse(sessionStorage.getItem(pending) ?? 'null');
  sessionStorage.removeItem(pending);
  history.replaceState(null, '', redirectUri() + (saved?.route ?? ''));
  if (!saved || saved.state !== params.get('state')) {
    throw new Error('This sign-in was not started here, or was started in another tab. Sign in again.');
  }
  if (params.has('error')) {
    throw new Error(`The identity provider refused the sign-in: ${params.get('error_description') || params.get('error')}`);
  }
  const res = await fetch(config.tokenEndpoint, {
    method: 'POST',
    credentials: 'omit',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: saved.verifier,
    }),
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok || !out.id_token) {
    throw new Error(`The identity provider did not issue an ID token (${out.error_description || out.error || res.status}).`);
  }
  const session = new Session(out.id_token, saved.route);
  // The API checks signature, issuer, audience and expiry; the nonce ties
  // this token to this browser's request, which only the browser can check.
  if (session.claims.nonce !== saved.nonce) throw new Error('The ID token does not answer this sign-in (nonce). Sign in again.');
  return session;
}

// providerSignOut is the provider's end-session URL (RP-Initiated Logout
// 1.0 §2, https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout),
// or '' when it has none. It names the client, never the person: the ID
// token is still valid until it expires, and a URL ends up in the address
// bar, history and the provider's logs, so no id_token_hint. Without one,
// the OP asks the person to confirm. logout_uri is the same address under
// the name Amazon Cognito's /logout reads
// (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html);
// other providers ignore it.
export function providerSignOut(config) {
  if (!config.endSessionEndpoint) return '';
  const url = new URL(config.endSessionEndpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    post_logout_redirect_uri: redirectUri(),
    logout_uri: redirectUri(),
  }).toString();
  return url.href;
}
