// keymint's OpenID Connect provider for local development and tests: one
// public client, a few fixed users, a login form and automatic consent.
// DEVELOPMENT ONLY: passwords are the user names, state is in memory.
//
// The Go package internal/oidc installs and starts it; everything it needs comes
// from that side in KEYMINT_OIDC_CONFIG (JSON):
//   {"issuer", "port", "jwksFile", "clientId", "redirectUris", "users": [{"name", "password", "groups"}], "idTokenTTL"}
// It prints one line starting "keymint-oidc ready" on stdout once it serves.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

function fail(msg) {
  console.error(`keymint-oidc: ${msg}`);
  process.exit(2);
}

let config;
try {
  config = JSON.parse(process.env.KEYMINT_OIDC_CONFIG ?? '');
} catch (err) {
  fail(`KEYMINT_OIDC_CONFIG is not JSON: ${err.message}`);
}
for (const key of ['issuer', 'port', 'jwksFile', 'clientId', 'redirectUris', 'users']) {
  if (config[key] === undefined) fail(`KEYMINT_OIDC_CONFIG lacks "${key}"`);
}

const users = new Map(config.users.map((u) => [u.name, u]));

const escapeHTML = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// One page layout for the login form and errors, so both are accessible the
// same way: a language, a title, one main landmark, a visible notice.
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title)} – keymint development sign-in</title>
<style>
body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #555;border-radius:4px}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:4px;background:#0b57d0;color:#fff;cursor:pointer}
input:focus,button:focus{outline:3px solid #f9a825;outline-offset:2px}
.notice{border-left:4px solid #b26a00;background:#fff4e0;padding:.5rem 1rem}
.error{border-left:4px solid #b3261e;background:#fdecea;padding:.5rem 1rem}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}

function loginPage(uid, clientId, login, error) {
  const described = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const userList = [...users.values()]
    .map((u) => `<li><code>${escapeHTML(u.name)}</code>${u.groups.length ? ` (${u.groups.map(escapeHTML).join(', ')})` : ''}</li>`)
    .join('');
  return page('Sign in', `<h1>Sign in</h1>
<p class="notice"><strong>Development only.</strong> This provider is for local development and tests.
Each user's password is the user name, and consent to <code>${escapeHTML(clientId)}</code> is granted automatically.</p>
${error ? `<p class="error" id="login-error" role="alert">${escapeHTML(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHTML(uid)}/login">
<label for="login">User name</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHTML(login)}"${described}${login ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${login ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<h2>Development users</h2>
<ul>${userList}</ul>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 << 10) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function account(name) {
  const user = users.get(name);
  if (!user) return undefined;
  return {
    accountId: name,
    async claims() {
      return {
        sub: name,
        preferred_username: name,
        email: `${name}@example.test`,
        email_verified: true,
        groups: [...user.groups],
      };
    },
  };
}

// Development consent: grant whatever the interaction says is missing.
async function autoConsent(provider, req, res, details) {
  const { params, session, prompt, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const saved = await grant.save();
  const consent = grantId ? {} : { grantId: saved };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Sign-in expired', '<h1>Sign-in expired</h1><p role="alert">This sign-in is no longer current. Go back to the application and sign in again.</p>'));
    return;
  }
  const clientId = details.params.client_id;
  if (details.prompt.name === 'consent') {
    await autoConsent(provider, req, res, details);
    return;
  }
  if (details.prompt.name !== 'login') {
    send(res, 400, page('Cannot continue', `<h1>Cannot continue</h1><p role="alert">Unsupported prompt ${escapeHTML(details.prompt.name)}.</p>`));
    return;
  }
  if (action !== 'login' || req.method !== 'POST') {
    send(res, 200, loginPage(uid, clientId, '', ''));
    return;
  }
  const form = await readForm(req);
  const login = form.get('login') ?? '';
  const user = users.get(login);
  if (!user || user.password !== (form.get('password') ?? '')) {
    // 401 so that a scripted client can tell a refused login from the form.
    send(res, 401, loginPage(uid, clientId, login, 'Wrong user name or password.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
}

const jwks = JSON.parse(readFileSync(config.jwksFile, 'utf8'));

const provider = new Provider(config.issuer, {
  clients: [{
    client_id: config.clientId,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: config.redirectUris,
    // Signing out of the console comes back to where it signs in.
    post_logout_redirect_uris: config.redirectUris,
  }],
  jwks,
  // Every token carries every claim, whatever scopes a client asks, so a
  // client that asks only "openid" still sees the admin group.
  claims: {
    openid: ['sub', 'preferred_username', 'email', 'email_verified', 'groups'],
    profile: ['preferred_username'],
    email: ['email', 'email_verified'],
  },
  // Put scope claims in the ID token even though an access token is issued
  // too: the ID token is what keymint checks.
  conformIdTokenClaims: false,
  findAccount: (ctx, sub) => account(sub),
  pkce: { required: () => true },
  ttl: {
    IdToken: config.idTokenTTL ?? 3600,
    AccessToken: config.idTokenTTL ?? 3600,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Sign out', `<h1>Sign out</h1>${form}
<p>Sign out of the keymint development provider?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the keymint development provider.</p>');
      },
    },
  },
  interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
  // Fresh per process: sessions end with the provider, signing keys do not.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  clientBasedCORS: (ctx, origin, client) => client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
  async renderError(ctx, out) {
    ctx.type = 'html';
    const items = Object.entries(out).map(([k, v]) => `<dt>${escapeHTML(k)}</dt><dd>${escapeHTML(v)}</dd>`).join('');
    ctx.body = page('Error', `<h1>Sign-in error</h1><div role="alert"><dl>${items}</dl></div>`);
  },
});

const handle = provider.callback();
const interactionPath = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/;

const server = createServer((req, res) => {
  const m = interactionPath.exec(new URL(req.url, config.issuer).pathname);
  if (!m) {
    handle(req, res);
    return;
  }
  interaction(provider, req, res, m[1], m[2]).catch((err) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    // A missing or expired interaction cookie is the user's doing, not ours.
    const status = err.statusCode ?? 500;
    if (status >= 500) console.error(err);
    const why = err.error_description ?? err.message;
    send(res, status, page('Sign-in error', `<h1>Sign-in error</h1><p role="alert">${escapeHTML(why)}. Go back to the application and sign in again.</p>`));
  });
});

server.on('error', (err) => fail(`cannot listen on 127.0.0.1:${config.port}: ${err.message}`));
server.listen(config.port, '127.0.0.1', () => {
  console.log(`keymint-oidc ready: issuer ${config.issuer} client ${config.clientId} (development only)`);
});

function stop(signal) {
  server.close(() => process.exit(0));
  // Keep-alive connections would hold close() open until they time out.
  server.closeAllConnections();
  setTimeout(() => {
    console.error(`keymint-oidc: forced exit after ${signal}`);
    process.exit(1);
  }, 5000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
