// Signing out, of keymint and then of the provider, never puts the ID token
// in a URL: not in any address the browser goes to (redirects included),
// not in the link to the provider's sign-out, not in the tab's history. The
// token is still valid until it expires (nothing can revoke an ID token),
// so a URL holding it would leak a working credential to history, the
// address bar and the provider's logs.

// jwtShaped is any JWS compact form whose header is JSON ("eyJ" is '{"').
const jwtShaped = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

export default {
  name: 'sign out without the ID token in any URL',
  // Chromium asks the provider's sign-out page for /favicon.ico, which the
  // development provider does not serve.
  expectedErrors: [/^console error on \S+\/session\/end: .* 404 .*\/favicon\.ico/],
  async run({ page, context, baseURL, signIn, shot, expectText, a11y }) {
    const origin = new URL(baseURL).origin;
    const urls = [];
    // Every request the browser makes for a page, each redirect its own,
    // and every change of the address, same-document ones (replaceState)
    // included.
    context.on('request', (r) => { if (r.isNavigationRequest()) urls.push(`navigation ${r.url()}`); });
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) urls.push(`address ${f.url()}`); });
    // The ID token itself, as the provider's token endpoint hands it over.
    let idToken = '';
    page.on('response', async (r) => {
      if (r.request().method() !== 'POST' || !/\/token$/.test(new URL(r.url()).pathname)) return;
      idToken = (await r.json().catch(() => ({}))).id_token ?? idToken;
    });

    await signIn(page, 'alice');
    if (!idToken) throw new Error('the flow did not see the ID token the provider issued');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    const main = page.getByRole('main');
    await expectText(main, 'You are signed out of keymint.');
    // What signing out does not end is said on the screen.
    await expectText(main, 'The ID token it used cannot be cancelled: it stays valid until');
    const link = main.getByRole('link', { name: 'Sign out there too', exact: true });
    const href = await link.getAttribute('href');
    const out = new URL(href);
    for (const [name, want] of [['client_id', null], ['post_logout_redirect_uri', `${origin}/`]]) {
      const got = out.searchParams.get(name);
      if (!got || (want && got !== want)) throw new Error(`the provider sign-out link has ${name}=${JSON.stringify(got)}: ${href}`);
    }
    urls.push(`link ${href}`);
    await shot(page, 'signed-out-until-expiry');
    await a11y(page, 'the signed-out page');

    // The provider asks to confirm (no id_token_hint tells it who), ends
    // its session and comes back to the console.
    await link.click();
    await page.getByRole('button', { name: 'Yes, sign me out', exact: true }).click();
    await page.waitForURL((u) => u.origin === origin);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // The tab's history as Chromium keeps it, every entry.
    const cdp = await context.newCDPSession(page);
    const { entries } = await cdp.send('Page.getNavigationHistory');
    for (const e of entries) urls.push(`history ${e.url}`);
    if (!entries.some((e) => new URL(e.url).pathname.startsWith('/session/end'))) {
      throw new Error(`the provider's sign-out is not in the history, so the history was not read: ${entries.map((e) => e.url).join(', ')}`);
    }

    const leaks = urls.filter((u) => u.includes(idToken) || jwtShaped.test(u) || /id_token/.test(u));
    // Said without the token itself: the test log is a log too.
    const masked = leaks.map((u) => u.replaceAll(idToken, '<the ID token>').replace(new RegExp(jwtShaped.source, 'g'), '<a JWT>'));
    if (leaks.length) throw new Error(`the ID token is in ${leaks.length} URL(s):\n${masked.join('\n')}`);
    console.log(`  ${urls.length} URLs seen (navigations, addresses, the link, history), none holds the ID token`);
  },
};
