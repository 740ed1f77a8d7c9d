// People's owners and operators' are kept apart: once an operator has made
// the owner bob (a direct invoke or, here, an admin token naming it before
// bob ever signed in), the person bob cannot sign in as it, and the
// console says why in words. On the enablement stack, where bob is
// otherwise unused.
export default {
  name: "bob cannot sign in as an owner an operator made",
  stack: 'enablement',
  // The refusal itself (403 from the authorizer).
  expectedErrors: [/status of 403 .*\/whoami:/],
  async run({ page, baseURL, adminToken, shot, expectText, a11y }) {
    if (!adminToken) throw new Error('no admin token for the enablement stack');
    const call = (method, path, body) => fetch(`${baseURL}${path}`, {
      method, headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const enabled = await call('PUT', '/owners/bob/status', { status: 'active' });
    if (enabled.status !== 200) throw new Error(`enable bob: ${enabled.status}`);
    const made = await call('POST', '/tokens', { owner: 'bob', name: 'service', scopes: ['tokens:read'] });
    if (made.status !== 201) throw new Error(`the admin could not make owner bob: ${made.status} ${await made.text()}`);

    await page.goto(`${baseURL}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('User name', { exact: true }).fill('bob');
    await page.getByLabel('Password', { exact: true }).fill('bob');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectText(page.getByRole('alert'), 'have the name of an owner an operator made');
    await shot(page, 'sign-in-refused-operator-owner');
    await a11y(page, 'the refused sign-in');
  },
};
