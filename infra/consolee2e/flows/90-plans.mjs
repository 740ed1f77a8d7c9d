// With plans (infra/plans.example.json, DEFAULT_PLAN=free; a stack of its
// own): alice on free may grant orders:read and sees orders:write disabled
// as not in her plan; root sees her plan and quota and moves her to team,
// with a confirmation, audited; then alice may grant orders:write.
const stack = 'plans';

async function openGenerate(page) {
  await page.getByRole('button', { name: 'Generate token', exact: true }).click();
  return page.getByRole('dialog', { name: 'Generate a token' });
}

async function enabled(d, scope) {
  return d.getByRole('checkbox', { name: scope, exact: true }).isEnabled();
}

export default [
  {
    name: 'alice on the free plan',
    stack,
    async run({ page, signIn, shot, expectText, a11y }) {
      await signIn(page, 'alice');
      const d = await openGenerate(page);
      await expectText(d, 'Your plan: free.');
      if (!await enabled(d, 'orders:read')) throw new Error('orders:read, in the free plan, is disabled');
      if (await enabled(d, 'orders:write')) throw new Error('orders:write, not in the free plan, is enabled');
      await expectText(d.locator('[data-scope="orders:write"]'), 'not in the free plan');
      await d.getByLabel('Name', { exact: true }).fill('reader');
      await d.getByRole('checkbox', { name: 'orders:read', exact: true }).check();
      await shot(page, 'plan-generate');
      await a11y(page, 'the generate dialog with a plan');
      const submit = d.getByRole('button', { name: 'Generate token' });
      await submit.scrollIntoViewIfNeeded();
      await submit.click();
      const secret = page.getByRole('dialog', { name: 'Your new token' });
      await secret.getByRole('button', { name: 'Done', exact: true }).click();
      await expectText(page.getByRole('main'), 'reader');
    },
  },
  {
    name: 'root moves alice to the team plan',
    stack,
    async run({ page, signIn, shot, expectText, a11y }) {
      await signIn(page, 'root');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
      const row = page.locator('tr[data-owner="alice"]');
      await expectText(row, 'free');
      await row.getByRole('link', { name: 'alice', exact: true }).click();
      const main = page.getByRole('main');
      await expectText(main, '0 of 1,000 requests this month');
      await main.getByLabel('Plan of alice').selectOption('team');
      await main.getByRole('button', { name: 'Move', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Move alice to team?' });
      await expectText(confirm, 'orders:read, orders:write, reports:read');
      await shot(page, 'plan-move-confirm');
      await a11y(page, 'the plan move confirmation');
      await confirm.getByRole('button', { name: 'Move to team', exact: true }).click();
      await expectText(main, '0 of 100,000 requests today');
      await expectText(main, 'plan: free → team');
      await shot(page, 'owner-plan');
      await a11y(page, 'an owner on a plan with a quota');

      // alice's own limits in place of team's.
      await main.getByLabel('Most live tokens', { exact: true }).fill('3');
      await main.getByLabel('Requests per period', { exact: true }).fill('2000');
      await main.getByLabel('Quota period', { exact: true }).selectOption('week');
      await main.getByRole('button', { name: 'Save limits', exact: true }).click();
      await page.getByRole('dialog', { name: "Change alice's limits?" }).getByRole('button', { name: 'Save limits', exact: true }).click();
      await expectText(main, '0 of 2,000 requests this week');
      await expectText(main, 'maxLiveTokens: 0 → 3');
      await shot(page, 'owner-limits');
      await a11y(page, 'an owner with its own limits');
    },
  },
  {
    name: 'alice may grant what the team plan grants',
    stack,
    async run({ page, signIn, expectText }) {
      await signIn(page, 'alice');
      const d = await openGenerate(page);
      await expectText(d, 'Your plan: team.');
      if (!await enabled(d, 'orders:write')) throw new Error('orders:write is disabled on the team plan');
      if (!await enabled(d, 'reports:read')) throw new Error('reports:read is disabled on the team plan');
      await d.getByLabel('Name', { exact: true }).fill('writer');
      await d.getByRole('checkbox', { name: 'orders:write', exact: true }).check();
      const submit = d.getByRole('button', { name: 'Generate token' });
      await submit.scrollIntoViewIfNeeded();
      await submit.click();
      await page.getByRole('dialog', { name: 'Your new token' }).getByRole('button', { name: 'Done', exact: true }).click();
      await expectText(page.getByRole('main'), 'writer');
    },
  },
  {
    name: "alice's token outside her plan after a move back to free",
    stack,
    async run({ page, signIn, shot, expectText, a11y }) {
      await signIn(page, 'root');
      await page.goto(new URL('#/owners/alice', page.url()).href);
      const main = page.getByRole('main');
      await main.getByLabel('Plan of alice').selectOption('free');
      await main.getByRole('button', { name: 'Move', exact: true }).click();
      await page.getByRole('dialog', { name: 'Move alice to free?' }).getByRole('button', { name: 'Move to free', exact: true }).click();
      await expectText(main, 'plan: team → free');
      // alice signs in here after root and sees her token keep
      // orders:write, which opens nothing on free.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await signIn(page, 'alice');
      await page.getByRole('link', { name: 'writer', exact: true }).click();
      await expectText(page.getByRole('main'), "orders:write (not in the owner's plan: opens nothing until the plan grants it)");
      await shot(page, 'token-outside-plan');
      await a11y(page, 'a token with a scope outside its plan');
    },
  },
];
