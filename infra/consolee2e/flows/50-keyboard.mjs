// The keyboard alone: from the skip link to a new token and back.
async function tabTo(page, test, what, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

export default {
  name: 'alice with the keyboard only',
  async run({ page, signIn, expectText }) {
    await signIn(page, 'alice');
    await expectText(page.getByRole('main'), 'Your tokens');
    // A page change puts the focus on its heading.
    if (await page.evaluate(() => document.activeElement?.tagName) !== 'H1') throw new Error('the focus is not on the page heading');
    await tabTo(page, () => document.activeElement?.textContent === 'Generate token', 'Generate token');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Generate a token' }).waitFor();
    // The dialog opens with the focus in its first field.
    if (await page.evaluate(() => document.activeElement?.name) !== 'name') throw new Error('the generate dialog did not focus the name');
    await page.keyboard.type('keyboard');
    await tabTo(page, () => document.activeElement?.value === 'tokens:read', 'the tokens:read checkbox');
    await page.keyboard.press('Space');
    await tabTo(page, () => document.activeElement?.textContent === 'Generate token' && document.activeElement.closest('dialog') !== null, 'the submit button');
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: 'Your new token' });
    await shown.waitFor();
    // Escape closes the dialog (and with it the secret).
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    await expectText(page.getByRole('row'), 'keyboard');
  },
};
