// Admins: bob has a token; root sees the owners, disables bob, and bob's
// sign-in and token stop working.
import { setTimeout as sleep } from 'node:timers/promises';
const status = async (baseURL, token) => (await fetch(`${baseURL}/whoami`, { headers: { Authorization: `Bearer ${token}` } })).status;

// Shared between the flows of this file, which run in order.
let bobToken = '';

export default [
  {
    name: 'bob generates a token',
    async run({ page, baseURL, signIn }) {
      await signIn(page, 'bob');
      await page.getByRole('button', { name: 'Generate token', exact: true }).click();
      const d = page.getByRole('dialog', { name: 'Generate a token' });
      await d.getByLabel('Name', { exact: true }).fill('bob-ci');
      await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
      await d.getByRole('button', { name: 'Generate token' }).click();
      const shown = page.getByRole('dialog', { name: 'Your new token' });
      bobToken = await shown.getByLabel('Token bob-ci').inputValue();
      await shown.getByRole('button', { name: 'Done' }).click();
      if (await status(baseURL, bobToken) !== 200) throw new Error("bob's token does not work");
    },
  },
  {
    name: 'root disables bob',
    async run({ page, baseURL, signIn, shot, expectText, a11y }) {
      await signIn(page, 'root');
      await expectText(page.getByRole('banner'), 'admin');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
      await page.getByRole('heading', { name: 'Owners', level: 1 }).waitFor();
      const bob = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'bob', exact: true }) });
      await expectText(bob, 'active');
      await shot(page, 'owners');
      await a11y(page, 'the owners page');
      await bob.getByRole('button', { name: 'Disable bob' }).click();
      const confirm = page.getByRole('dialog', { name: 'Disable bob?' });
      await confirm.getByRole('button', { name: 'Disable bob' }).click();
      await expectText(page.getByRole('status'), 'bob disabled.');
      await expectText(bob, 'disabled');
      for (let i = 0; i < 20 && await status(baseURL, bobToken) !== 403; i++) await sleep(250);
      if (await status(baseURL, bobToken) !== 403) throw new Error("bob's token still works after bob was disabled");
      // Any owner's tokens, from the owners list.
      await bob.getByRole('link', { name: /live tokens of bob/ }).click();
      await page.getByRole('heading', { name: 'Tokens of bob', level: 1 }).waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'bob-ci', exact: true }) });
      await expectText(row, 'owner-disabled');
    },
  },
  {
    name: "bob's sign-in is refused while disabled",
    expectedErrors: [/status of 403 .*\/whoami:/],
    async run({ page, baseURL, expectText }) {
      await page.goto(`${baseURL}/`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByLabel('User name', { exact: true }).fill('bob');
      await page.getByLabel('Password', { exact: true }).fill('bob');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectText(page.getByRole('alert'), 'keymint refused your sign-in');
    },
  },
  {
    name: 'root enables bob again',
    async run({ page, baseURL, signIn, expectText }) {
      await signIn(page, 'root');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Owners' }).click();
      const bob = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'bob', exact: true }) });
      await bob.getByRole('button', { name: 'Enable bob' }).click();
      await expectText(page.getByRole('status'), 'bob enabled.');
      await expectText(bob, 'active');
      for (let i = 0; i < 20 && await status(baseURL, bobToken) !== 200; i++) await sleep(250);
      if (await status(baseURL, bobToken) !== 200) throw new Error("bob's token does not work again after bob was enabled");
    },
  },
];
