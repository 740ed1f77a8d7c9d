// alice's tokens: generate (shown once, clipboard, download), use it, a
// field error from the API, bulk deactivate, activate, IP block, revoke.
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';

// api calls keymint with a token, as a client of the customer's API would.
async function api(baseURL, token, path = '/whoami') {
  const res = await fetch(baseURL + path, { headers: { Authorization: `Bearer ${token}` } });
  return res.status;
}

// eventually waits until the API answers want: validators cache decisions
// for VALIDATE_CACHE_TTL (2 s), the bound on how long a change takes.
async function eventually(baseURL, token, want, what) {
  let got;
  for (let i = 0; i < 20; i++) {
    got = await api(baseURL, token);
    if (got === want) return;
    await sleep(250);
  }
  throw new Error(`${what}: the API answers ${got}, want ${want}`);
}

// generate fills the generate dialog; it returns the dialog for the rest.
async function openGenerate(page, name, { description = '', preset = '30 days', scopes = ['tokens:read'] } = {}) {
  await page.getByRole('button', { name: 'Generate token', exact: true }).click();
  const d = page.getByRole('dialog', { name: 'Generate a token' });
  await d.getByLabel('Name', { exact: true }).fill(name);
  if (description) await d.getByLabel('Description (optional)').fill(description);
  await d.getByRole('radio', { name: preset }).check();
  for (const s of scopes) await d.getByRole('checkbox', { name: s, exact: true }).check();
  return d;
}

// takeSecret reads the new token from the dialog, checks the clipboard and
// the download hold the same, and closes the dialog.
async function takeSecret(page, name) {
  const d = page.getByRole('dialog', { name: 'Your new token' });
  await d.getByText('It will not be shown again').waitFor();
  const secret = await d.getByLabel(`Token ${name}`).inputValue();
  if (!/^kmt_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/.test(secret)) throw new Error(`the dialog shows ${JSON.stringify(secret)}, not a token`);
  await d.getByRole('button', { name: 'Copy to clipboard' }).click();
  await d.getByText('Copied to the clipboard.').waitFor();
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  if (clip !== secret) throw new Error('the clipboard does not hold the token');
  const [download] = await Promise.all([page.waitForEvent('download'), d.getByRole('button', { name: 'Download' }).click()]);
  if (download.suggestedFilename() !== `keymint-${name}.txt`) throw new Error(`download named ${download.suggestedFilename()}`);
  const saved = (await readFile(await download.path(), 'utf8')).trim();
  if (saved !== secret) throw new Error('the downloaded file does not hold the token');
  return { d, secret };
}

// gone checks the secret is nowhere the page keeps things once the dialog
// closed: the DOM, web storage, the URL.
async function gone(page, secret) {
  const where = await page.evaluate((s) => {
    const found = [];
    if (document.documentElement.outerHTML.includes(s)) found.push('the DOM');
    for (const input of document.querySelectorAll('input, textarea')) if (input.value.includes(s)) found.push(`an input (${input.outerHTML})`);
    if (JSON.stringify({ ...localStorage }).includes(s)) found.push('localStorage');
    if (JSON.stringify({ ...sessionStorage }).includes(s)) found.push('sessionStorage');
    if (location.href.includes(s)) found.push('the URL');
    return found;
  }, secret);
  if (where.length) throw new Error(`the secret is still in ${where.join(', ')}`);
}

const row = (page, name) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

// gapBefore is the room, in pixels, between an element and what is laid
// out just before it on its line (a badge must not touch its text).
const gapBefore = (locator) => locator.evaluate((el) => {
  const prev = el.previousElementSibling;
  if (!prev) throw new Error('nothing before the badge');
  return el.getBoundingClientRect().left - prev.getBoundingClientRect().right;
});

// inView reports whether an element is shown whole inside the viewport and
// inside every box that scrolls it (a dialog scrolled to its bottom).
const inView = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.top < 0 || r.bottom > innerHeight) return false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    if (p.scrollHeight <= p.clientHeight) continue;
    const b = p.getBoundingClientRect();
    if (r.top < b.top || r.bottom > b.bottom) return false;
  }
  return true;
});

// The single date format of every time the console shows, in the viewer's zone.
const shownDate = /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/;

export default {
  name: 'alice generates, uses, deactivates, blocks and revokes tokens',
  // Refused by the API on purpose: the invalid CIDR, the invalid address
  // to block, the name taken meanwhile.
  expectedErrors: [/status of 400 .*\/tokens:/, /status of 400 .*\/blocked-ips\//, /status of 409 .*\/tokens:/],
  async run({ page, baseURL, adminToken, signIn, shot, expectText, a11y, timeZone }) {
    await signIn(page, 'alice');
    await expectText(page.getByRole('main'), 'No tokens yet.');

    // Generate, with the scope found through the search box.
    let d = await openGenerate(page, 'deploy', { description: 'Deploys from CI', scopes: [] });
    await d.getByRole('searchbox', { name: 'Search scopes' }).fill('read');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByRole('checkbox', { name: 'Only checked' }).check();
    if (await d.getByRole('checkbox', { name: 'tokens:write', exact: true }).isVisible()) throw new Error('"Only checked" still shows tokens:write');
    await d.getByRole('checkbox', { name: 'Only checked' }).uncheck();
    await d.getByRole('searchbox', { name: 'Search scopes' }).fill('');
    // A preset expiry needs no date field; "Custom date" brings it.
    const customDate = d.getByLabel('Custom expiry date');
    if (await customDate.isVisible()) throw new Error('the custom date field shows while a preset expiry is chosen');
    await d.getByRole('radio', { name: 'Custom date' }).check();
    await customDate.waitFor();
    await d.getByRole('radio', { name: '30 days' }).check();
    await customDate.waitFor({ state: 'hidden' });
    // The expiry is said in the format of every other date shown.
    const hint = (await d.getByText(/^Expires [^(]/).innerText()).replace(/^Expires (.*)\.$/, '$1');
    if (!shownDate.test(hint)) throw new Error(`the dialog says the token expires ${JSON.stringify(hint)}, not in the list's date format`);
    // Tall enough for the whole dialog in one picture.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await shot(page, 'generate');
    await a11y(page, 'the generate dialog');
    await page.setViewportSize({ width: 1280, height: 800 });
    await d.getByRole('button', { name: 'Generate token' }).click();
    const { d: shown, secret } = await takeSecret(page, 'deploy');
    await shot(page, 'secret');
    await a11y(page, 'the new-token dialog');
    await shown.getByRole('button', { name: 'Done' }).click();
    // The dialog element itself, not only its role (a closed dialog has none).
    await page.locator('dialog').waitFor({ state: 'detached' });
    await gone(page, secret);
    if (await api(baseURL, secret) !== 200) throw new Error('the new token does not work against the API');

    // The name is checked as it is typed.
    d = await openGenerate(page, 'deploy', { scopes: [] });
    await expectText(d, 'You already have a live token with this name.');
    // A problem the API finds is shown beside the field it names.
    await d.getByLabel('Name', { exact: true }).fill('backup');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByText('Advanced').click();
    const cidrs = d.getByLabel('Allowed source addresses (optional)');
    await cidrs.fill('10.0.0.0/33');
    await d.getByRole('button', { name: 'Generate token' }).click();
    // (has: takes a locator relative to the field, so one from the page.)
    await expectText(d.locator('.field').filter({ has: page.getByLabel('Allowed source addresses (optional)') }).locator('.field-error'), 'is not an IP address or CIDR block');
    if (await cidrs.getAttribute('aria-invalid') !== 'true') throw new Error('the CIDR field is not marked invalid');
    await shot(page, 'field-error');
    await a11y(page, 'a field error');
    await cidrs.fill('');
    await d.getByRole('radio', { name: '7 days' }).check();
    await d.getByRole('button', { name: 'Generate token' }).click();
    const backup = await takeSecret(page, 'backup');
    await backup.d.getByRole('button', { name: 'Done' }).click();

    // Times in the viewer's zone; the 7-day token is expiring soon, its
    // badge set apart from the date before it.
    await expectText(page.getByRole('contentinfo'), timeZone);
    await expectText(row(page, 'backup'), 'expires in 7 days');
    const soon = row(page, 'backup').getByText('expires in 7 days');
    if (await gapBefore(soon) < 4) throw new Error(`the "expires in 7 days" badge touches the date before it (${await gapBefore(soon)}px)`);
    const listed = await row(page, 'backup').locator('time').first().innerText();
    if (!shownDate.test(listed)) throw new Error(`the list shows ${JSON.stringify(listed)}`);
    // Last use is written at most every LAST_USED_INTERVAL: the list says so.
    await expectText(page.getByRole('main'), 'updated at most every 5 minutes');

    // A refusal the dialog cannot place beside a field is brought into
    // view with the focus, even from the bottom of a long dialog: the name
    // is taken meanwhile (an admin makes a token named so for alice).
    d = await openGenerate(page, 'race');
    const taken = await fetch(`${baseURL}/tokens`, { method: 'POST', headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ owner: 'alice', name: 'race', scopes: ['tokens:read'] }) });
    if (taken.status !== 201) throw new Error(`the admin could not make alice's "race": ${taken.status}`);
    const submit = d.getByRole('button', { name: 'Generate token' });
    await submit.scrollIntoViewIfNeeded();
    await submit.click();
    const refusal = d.getByRole('alert').filter({ hasText: 'already has that name' });
    await refusal.waitFor();
    if (!await inView(refusal)) throw new Error('the refusal is out of view: the user sees nothing change');
    if (!await refusal.evaluate((el) => el.contains(document.activeElement))) throw new Error('the focus did not move to the refusal');
    await shot(page, 'refusal-in-view');
    await d.getByRole('button', { name: 'Cancel' }).click();

    // Several at once: deactivate both, and they stop working.
    await row(page, 'deploy').getByRole('checkbox').check();
    await row(page, 'backup').getByRole('checkbox').check();
    await expectText(page.getByRole('group', { name: 'Selected tokens' }), '2 tokens selected');
    await shot(page, 'tokens');
    await a11y(page, 'the token list with a selection');
    await page.getByRole('group', { name: 'Selected tokens' }).getByRole('button', { name: 'Deactivate' }).click();
    await expectText(page.getByRole('status'), 'Deactivated 2 tokens.');
    await expectText(row(page, 'deploy'), 'inactive');
    await expectText(row(page, 'backup'), 'inactive');
    await eventually(baseURL, secret, 403, 'deploy after deactivation');
    await eventually(baseURL, backup.secret, 403, 'backup after deactivation');

    // Filter and search.
    await page.getByLabel('Search by name').fill('back');
    if (await row(page, 'deploy').count()) throw new Error('search "back" still lists deploy');
    await page.getByLabel('Search by name').fill('');

    // deploy's page: activate, its use, block that address, revoke.
    await page.getByRole('link', { name: 'deploy', exact: true }).click();
    await page.getByRole('heading', { name: 'deploy', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await expectText(page.getByRole('status'), 'deploy activated.');
    await eventually(baseURL, secret, 200, 'deploy after activation');
    // The creation time as this browser's zone shows it.
    const created = await page.locator('dt:text-is("Created") + dd time').getAttribute('datetime');
    const local = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(created));
    await expectText(page.locator('dt:text-is("Created") + dd'), local);
    await page.reload();
    await page.getByRole('heading', { name: 'deploy', level: 1 }).waitFor();
    const usage = page.getByRole('table', { name: 'Addresses that used deploy' });
    await expectText(usage, '127.0.0.1');
    // How fresh the use shown is.
    await expectText(page.getByRole('region', { name: 'IP usage' }), 'updated at most every 5 minutes');
    await shot(page, 'token');
    await a11y(page, "a token's page");
    await usage.getByRole('button', { name: 'Block 127.0.0.1' }).click();
    await expectText(page.getByRole('status'), '127.0.0.1 blocked.');
    await expectText(usage, 'blocked');
    await eventually(baseURL, secret, 403, 'deploy from a blocked address');
    await usage.getByRole('button', { name: 'Unblock 127.0.0.1' }).click();
    await expectText(page.getByRole('status'), '127.0.0.1 unblocked.');
    await eventually(baseURL, secret, 200, 'deploy after unblocking');
    // An address that is none: said once, beside the field, and the last
    // action's success notice is gone.
    const blockField = page.getByLabel('Block an address');
    await blockField.fill('999.1.1.1');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    const fieldBox = page.locator('.field').filter({ has: page.getByLabel('Block an address') });
    await expectText(fieldBox.locator('.field-error'), 'is not an IP address');
    const said = await page.getByText(/is not an IP address/).filter({ visible: true }).count();
    if (said !== 1) throw new Error(`the refusal is shown ${said} times`);
    const below = await fieldBox.locator('.field-error').evaluate((err, input) => err.getBoundingClientRect().top >= input.getBoundingClientRect().bottom, await blockField.elementHandle());
    if (!below) throw new Error('the refusal is not under the field it is about');
    if ((await page.locator('#live').innerText()).includes('unblocked')) throw new Error('the success notice of the unblock still shows beside the refusal');
    if (await blockField.evaluate((el) => el !== document.activeElement)) throw new Error('the focus is not on the refused field');
    await shot(page, 'block-refused');
    await blockField.fill('');
    await expectText(page.getByRole('table', { name: /What happened to deploy/ }), 'block_ip');

    await page.getByRole('group', { name: 'Token actions' }).getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke deploy?' });
    await expectText(confirm, 'This cannot be undone.');
    await a11y(page, 'the revoke confirmation');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expectText(page.getByRole('status'), 'deploy revoked.');
    await expectText(page.getByRole('heading', { level: 1 }).locator('..'), 'revoked');
    await eventually(baseURL, secret, 403, 'deploy after revocation');

    // The list hides revoked tokens unless asked: the revoked filter, and
    // all, list it.
    await page.getByRole('link', { name: 'Your tokens' }).click();
    await row(page, 'backup').waitFor();
    if (await row(page, 'deploy').count()) throw new Error('the default list shows the revoked deploy');
    await page.getByLabel('Status').selectOption('revoked');
    await expectText(row(page, 'deploy'), 'revoked');
    if (await row(page, 'backup').count()) throw new Error('the revoked filter lists backup');
    await page.getByLabel('Status').selectOption('all');
    await expectText(row(page, 'deploy'), 'revoked');
    await expectText(row(page, 'backup'), 'inactive');
  },
};
