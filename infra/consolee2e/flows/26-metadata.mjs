// A token's metadata, set in the generate dialog and changed in the edit
// dialog: the pairs the API behind the authorizer receives as meta_<key>.
export default {
  name: 'alice tags a token with metadata and changes it',
  async run({ page, signIn, shot, expectText, a11y }) {
    await signIn(page, 'alice');
    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    const d = page.getByRole('dialog', { name: 'Generate a token' });
    await d.getByLabel('Name', { exact: true }).fill('tagged');
    await d.getByRole('checkbox', { name: 'tokens:read', exact: true }).check();
    await d.getByText('Advanced').click();
    const meta = d.getByLabel('Metadata (optional)');
    // A key the API would refuse is named beside the field before any
    // request; closing Advanced and submitting opens it again to show it.
    await meta.fill('customer=acme-42\nRegion=eu');
    await d.getByText('Advanced').click();
    await d.getByRole('button', { name: 'Generate token' }).click();
    if (!(await meta.isVisible())) throw new Error('a bad metadata line left the Advanced section closed');
    await expectText(d, 'Line 2: a key is a lower-case letter');
    await shot(page, 'metadata-error');
    await a11y(page, 'the generate dialog with a metadata error');
    await meta.fill('customer=acme-42\nregion=eu');
    await d.getByRole('button', { name: 'Generate token' }).click();
    const s = page.getByRole('dialog', { name: 'Your new token' });
    await s.getByRole('button', { name: 'Done' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'tagged', exact: true }).click();
    const shown = page.locator('dt:text-is("Metadata") + dd');
    await expectText(shown, 'customer = acme-42');
    await expectText(shown, 'region = eu');

    // Edit replaces the pairs whole: one changed, one gone, one new.
    await page.getByRole('button', { name: 'Edit' }).click();
    const e = page.getByRole('dialog', { name: 'Edit tagged' });
    const field = e.getByLabel('Metadata (optional)');
    const before = await field.inputValue();
    if (before !== 'customer=acme-42\nregion=eu') throw new Error(`the edit dialog shows the metadata as ${JSON.stringify(before)}`);
    await field.fill('customer=acme-43\ntier=gold');
    await shot(page, 'metadata-edit');
    await e.getByRole('button', { name: 'Save' }).click();
    await expectText(page.getByRole('status'), 'tagged saved.');
    await expectText(shown, 'customer = acme-43');
    await expectText(shown, 'tier = gold');
    const text = await shown.innerText();
    if (text.includes('region')) throw new Error(`an edit kept a removed pair: ${text}`);
    await shot(page, 'metadata-token');
  },
};
