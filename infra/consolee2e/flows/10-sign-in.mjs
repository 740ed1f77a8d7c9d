// Sign-in and sign-out through the development provider.
export default {
  name: 'sign in and out as alice',
  async run({ page, signIn, shot, expectText, a11y }) {
    await signIn(page, 'alice');
    await expectText(page.getByRole('banner'), 'alice');
    // Not an admin: no owners page in the menu.
    if (await page.getByRole('link', { name: 'Owners' }).count()) throw new Error('alice sees the Owners link');
    await shot(page, 'signed-in');
    await a11y(page, 'the empty token list');
    // The ID token is kept in memory only: nothing stored holds a JWT.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
    if (/eyJ[A-Za-z0-9_-]+\./.test(stored)) throw new Error(`a JWT is stored or in the URL: ${stored}`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectText(page.getByRole('main'), 'You are signed out of keymint.');
    await shot(page, 'signed-out');
    await a11y(page, 'the signed-out page');
    // After signing out, signing in asks for the login form again, so
    // someone else can sign in in this browser.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('User name', { exact: true }).waitFor();
  },
};
