// A token's own actions: edit, regenerate with a grace period, copy.
import { setTimeout as sleep } from 'node:timers/promises';
const status = async (baseURL, token) => (await fetch(`${baseURL}/whoami`, { headers: { Authorization: `Bearer ${token}` } })).status;

async function secretOf(page, title, name) {
  const d = page.getByRole('dialog', { name: title });
  const secret = await d.getByLabel(`Token ${name}`).inputValue();
  await d.getByRole('button', { name: 'Done' }).click();
  await page.locator('dialog').waitFor({ state: 'detached' });
  return secret;
}

// noNotice fails when the status line still shows what an earlier screen
// said.
async function noNotice(page, stale, where) {
  const shown = await page.locator('#live').innerText();
  if (shown.includes(stale)) throw new Error(`${where} still shows the notice ${JSON.stringify(shown)}`);
}

const unknown = 'AAAAAAAAAAAAAAAA';

export default {
  name: 'alice edits, regenerates and copies a token',
  // The unknown token's one lookup.
  expectedErrors: [new RegExp(`status of 404 .*/tokens/${unknown}:`)],
  async run({ page, baseURL, signIn, shot, expectText, a11y, timeZone }) {
    await signIn(page, 'alice');

    // A custom expiry date: the token expires at the end of that day in
    // the viewer's zone.
    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    const c = page.getByRole('dialog', { name: 'Generate a token' });
    await c.getByLabel('Name', { exact: true }).fill('quarterly');
    await c.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await c.getByRole('radio', { name: 'Custom date' }).check();
    const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + 45 * 86400000));
    await c.getByLabel('Custom expiry date').fill(day);
    await c.getByRole('button', { name: 'Generate token' }).click();
    await secretOf(page, 'Your new token', 'quarterly');
    await page.getByRole('link', { name: 'quarterly', exact: true }).click();
    const at = await page.locator('dt:text-is("Expires") + dd time').getAttribute('datetime');
    const local = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
    if (local !== `${day}, 23:59`) throw new Error(`custom expiry ${day}: the token expires ${at}, ${local} in ${timeZone}`);
    await page.getByRole('link', { name: 'Your tokens' }).click();

    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    let d = page.getByRole('dialog', { name: 'Generate a token' });
    await d.getByLabel('Name', { exact: true }).fill('rotate');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByRole('button', { name: 'Generate token' }).click();
    const first = await secretOf(page, 'Your new token', 'rotate');
    await page.getByRole('link', { name: 'rotate', exact: true }).click();
    await page.getByRole('heading', { name: 'rotate', level: 1 }).waitFor();

    // Edit: a description, and an expiry brought closer.
    await page.getByRole('button', { name: 'Edit' }).click();
    d = page.getByRole('dialog', { name: 'Edit rotate' });
    // Each dialog is named by a title of its own (an id no other has).
    const editTitle = await d.getAttribute('aria-labelledby');
    await d.getByLabel('Description (optional)').fill('Rotated monthly');
    const expires = d.getByLabel('Expires');
    const closer = new Date(Date.now() + 10 * 86400000);
    const p = (n) => String(n).padStart(2, '0');
    await expires.fill(`${closer.getFullYear()}-${p(closer.getMonth() + 1)}-${p(closer.getDate())}T12:00`);
    await shot(page, 'edit');
    await a11y(page, 'the edit dialog');
    await d.getByRole('button', { name: 'Save' }).click();
    await expectText(page.getByRole('status'), 'rotate saved.');
    await expectText(page.locator('dl'), 'Rotated monthly');

    // Regenerate with an hour's grace: both secrets work meanwhile.
    await page.getByRole('button', { name: 'Regenerate' }).click();
    d = page.getByRole('dialog', { name: 'Regenerate rotate' });
    if (await d.getAttribute('aria-labelledby') === editTitle) throw new Error(`the edit and regenerate dialogs share the title id ${editTitle}`);
    await d.getByLabel('Grace period for the old secret').selectOption('3600');
    await a11y(page, 'the regenerate dialog');
    await d.getByRole('button', { name: 'Regenerate' }).click();
    const second = await secretOf(page, 'New secret for rotate', 'rotate');
    if (second === first) throw new Error('regenerate showed the old secret');
    await expectText(page.locator('dl'), 'Previous secret works until');
    for (const [what, s] of [['the new secret', second], ['the old secret in its grace period', first]]) {
      if (await status(baseURL, s) !== 200) throw new Error(`${what} does not work`);
    }

    // Copy: a new token with a secret of its own; the page moves to it.
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    d = page.getByRole('dialog', { name: 'Copy rotate' });
    await d.getByLabel('Name', { exact: true }).fill('rotate-2');
    await d.getByRole('button', { name: 'Copy token' }).click();
    const copy = await secretOf(page, 'Your new token rotate-2', 'rotate-2');
    await page.getByRole('heading', { name: 'rotate-2', level: 1 }).waitFor();
    await expectText(page.locator('dl'), 'Rotated monthly');
    if (await status(baseURL, copy) !== 200) throw new Error('the copy does not work');

    // Both revoked at once from the list, after a confirmation.
    await page.getByRole('link', { name: 'Your tokens' }).click();
    const row = (name) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row('rotate').getByRole('checkbox').check();
    await row('rotate-2').getByRole('checkbox').check();
    await page.getByRole('group', { name: 'Selected tokens' }).getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke tokens?' });
    await expectText(confirm, 'rotate, rotate-2');
    await confirm.getByRole('button', { name: 'Revoke 2 tokens' }).click();
    await expectText(page.getByRole('status'), 'Revoked 2 tokens.');
    // Revoked: gone from the list of live tokens.
    await row('rotate').waitFor({ state: 'detached' });
    await row('rotate-2').waitFor({ state: 'detached' });
    for (let i = 0; i < 20 && await status(baseURL, copy) !== 403; i++) await sleep(250);
    if (await status(baseURL, copy) !== 403) throw new Error('the copy still works after the bulk revoke');

    // A notice belongs to the screen that made it: not on the next one,
    // not on a page that failed, not after signing out.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scopes' }).click();
    await page.getByRole('heading', { name: 'Scopes', level: 1 }).waitFor();
    await noNotice(page, 'Revoked 2 tokens.', 'the scope catalogue');
    // "you hold it" stands apart from the scope it follows.
    const holds = page.getByRole('term').filter({ hasText: 'tokens:read' }).getByText('you hold it');
    const gap = await holds.evaluate((el) => el.getBoundingClientRect().left - el.previousElementSibling.getBoundingClientRect().right);
    if (gap < 4) throw new Error(`the "you hold it" badge touches the scope before it (${gap}px)`);

    // A token that does not exist (or is another owner's: the API answers
    // 404 for both): one lookup, said plainly, and the way back.
    await page.getByRole('link', { name: 'Tokens', exact: true }).click();
    await page.getByRole('heading', { name: 'Your tokens', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    d = page.getByRole('dialog', { name: 'Generate a token' });
    await d.getByLabel('Name', { exact: true }).fill('notice');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByRole('button', { name: 'Generate token' }).click();
    await secretOf(page, 'Your new token', 'notice');
    await expectText(page.getByRole('status'), 'Token notice is ready.');
    const lookups = [];
    page.on('request', (r) => { if (r.url().includes(`/tokens/${unknown}`)) lookups.push(r.url()); });
    // Within the page, as a link would (a reload would clear any notice).
    await page.evaluate((id) => { location.hash = `#/tokens/${id}`; }, unknown);
    await page.getByRole('heading', { name: 'No such token', level: 1 }).waitFor();
    await expectText(page.getByRole('main'), 'does not exist or is not yours');
    await noNotice(page, 'Token notice is ready.', "an unknown token's page");
    if (lookups.length !== 1) throw new Error(`the unknown token's page made ${lookups.length} API calls: ${lookups.join(', ')}`);
    await shot(page, 'unknown-token');
    await a11y(page, "an unknown token's page");
    await page.getByRole('link', { name: 'Back to your tokens' }).click();
    await page.getByRole('heading', { name: 'Your tokens', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    d = page.getByRole('dialog', { name: 'Generate a token' });
    await d.getByLabel('Name', { exact: true }).fill('leaving');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByRole('button', { name: 'Generate token' }).click();
    await secretOf(page, 'Your new token', 'leaving');
    await expectText(page.getByRole('status'), 'Token leaving is ready.');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectText(page.getByRole('main'), 'You are signed out of keymint.');
    await noNotice(page, 'Token leaving is ready.', 'the signed-out page');
  },
};
