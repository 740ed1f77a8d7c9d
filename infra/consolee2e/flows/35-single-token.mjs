// One token at a time (an owner's single-token policy): root sets it for
// bob; bob is warned, by name, before a new token revokes his old one, can
// keep it, and is told what happened when he goes ahead.
const row = (page, name) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

export default [
  {
    name: 'root sets bob to one token at a time',
    async run({ page, signIn, expectText }) {
      await signIn(page, 'root');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
      const bob = row(page, 'bob');
      await bob.getByRole('checkbox', { name: 'bob: Single token' }).check();
      await expectText(page.getByRole('status'), 'bob: one token at a time.');
      // The notice is about bob: alice's page does not show it.
      await page.getByRole('link', { name: 'alice', exact: true }).click();
      await page.getByRole('heading', { name: 'alice', level: 1 }).waitFor();
      const shown = await page.locator('#live').innerText();
      if (shown.includes('one token at a time')) throw new Error(`alice's page shows bob's notice ${JSON.stringify(shown)}`);
      // An admin making a token for bob is warned too (bob's policy, read
      // from GET /owners/bob), and cancels.
      await page.evaluate(() => { location.hash = '#/tokens?owner=bob'; });
      await page.getByRole('heading', { name: 'Tokens of bob', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Generate token', exact: true }).click();
      const d = page.getByRole('dialog', { name: 'Generate a token for bob' });
      await expectText(d, 'revokes bob-ci');
      await d.getByRole('button', { name: 'Cancel' }).click();
      await page.locator('dialog').waitFor({ state: 'detached' });
    },
  },
  {
    name: 'bob is warned before his token is replaced',
    async run({ page, signIn, shot, expectText, a11y }) {
      await signIn(page, 'bob');
      await expectText(row(page, 'bob-ci'), 'active');
      const open = async () => {
        await page.getByRole('button', { name: 'Generate token', exact: true }).click();
        const d = page.getByRole('dialog', { name: 'Generate a token' });
        await d.getByLabel('Name', { exact: true }).fill('bob-new');
        await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
        return d;
      };
      let d = await open();
      const warning = d.getByText('may hold one token at a time');
      await warning.waitFor();
      await expectText(d, 'revokes bob-ci');
      // The whole dialog in one picture, the warning above its buttons.
      await page.setViewportSize({ width: 1280, height: 1600 });
      await d.evaluate((el) => el.scrollTo(0, 0));
      await shot(page, 'single-token');
      await a11y(page, 'the single-token warning');
      await page.setViewportSize({ width: 1280, height: 800 });
      // Keep the old one: nothing is made, nothing revoked.
      await d.getByRole('button', { name: 'Cancel' }).click();
      await page.locator('dialog').waitFor({ state: 'detached' });
      await expectText(row(page, 'bob-ci'), 'active');
      if (await row(page, 'bob-new').count()) throw new Error('cancelling the warning made a token');

      d = await open();
      await d.getByRole('button', { name: 'Generate and revoke bob-ci' }).click();
      const shown = page.getByRole('dialog', { name: 'Your new token' });
      await shown.getByRole('button', { name: 'Done' }).click();
      await page.locator('dialog').waitFor({ state: 'detached' });
      await expectText(page.getByRole('status'), 'Revoked bob-ci because this owner may hold one token at a time.');
      await expectText(row(page, 'bob-new'), 'active');
      if (await row(page, 'bob-ci').count()) throw new Error('the list still shows the revoked bob-ci');
    },
  },
];
