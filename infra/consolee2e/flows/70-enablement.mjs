// With TOKENS_REQUIRE_ENABLEMENT (a stack of its own): a new owner is told,
// in words, that an admin must enable it; root sees it pending and enables
// it; then its token is made.
const stack = 'enablement';

async function generate(page, name) {
  await page.getByRole('button', { name: 'Generate token', exact: true }).click();
  const d = page.getByRole('dialog', { name: 'Generate a token' });
  await d.getByLabel('Name', { exact: true }).fill(name);
  await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
  const submit = d.getByRole('button', { name: 'Generate token' });
  await submit.scrollIntoViewIfNeeded();
  await submit.click();
  return d;
}

export default [
  {
    name: 'alice waits to be enabled',
    stack,
    // The refusal itself (409 owner-not-enabled).
    expectedErrors: [/status of 409 .*\/tokens:/],
    async run({ page, signIn, shot, a11y }) {
      await signIn(page, 'alice');
      const d = await generate(page, 'first');
      const refusal = d.getByRole('alert').filter({ hasText: 'Your account is waiting for an administrator to enable tokens.' });
      await refusal.waitFor();
      const said = await refusal.innerText();
      if (/PUT|\/owners/.test(said)) throw new Error(`the refusal names an API call: ${JSON.stringify(said)}`);
      if (!await refusal.evaluate((el) => el.contains(document.activeElement))) throw new Error('the focus did not move to the refusal');
      await shot(page, 'waiting-for-enablement');
      await a11y(page, 'the enablement refusal');
    },
  },
  {
    name: 'root enables the pending alice',
    stack,
    async run({ page, signIn, shot, expectText, a11y }) {
      await signIn(page, 'root');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
      await page.getByRole('heading', { name: 'Owners', level: 1 }).waitFor();
      const alice = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'alice', exact: true }) });
      await expectText(alice, 'pending');
      await expectText(page.getByRole('main'), 'Waiting to be enabled: alice.');
      await shot(page, 'owners-pending');
      await a11y(page, 'the owners page with a pending owner');
      await alice.getByRole('button', { name: 'Enable alice' }).click();
      await expectText(page.getByRole('status'), 'alice enabled.');
      await expectText(alice, 'active');
    },
  },
  {
    name: 'alice makes her first token once enabled',
    stack,
    async run({ page, signIn }) {
      await signIn(page, 'alice');
      await generate(page, 'first');
      const shown = page.getByRole('dialog', { name: 'Your new token' });
      await shown.getByText('It will not be shown again').waitFor();
      await shown.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('row').filter({ has: page.getByRole('link', { name: 'first', exact: true }) }).waitFor();
    },
  },
];
