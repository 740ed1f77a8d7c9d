// The console at phone width: one column, every action reachable.
export default {
  name: 'alice at phone width',
  async run({ page, signIn, shot, expectText, a11y }) {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, 'alice');
    await expectText(page.getByRole('main'), 'Your tokens');
    // The live tokens, the list's default.
    await page.locator('main table tbody tr').first().waitFor();
    // No sideways scrolling: the page is as wide as the screen.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 390) throw new Error(`the page is ${wide}px wide at a 390px screen`);
    await shot(page, 'phone');
    await a11y(page, 'the token list at phone width');
    await page.getByRole('button', { name: 'Generate token', exact: true }).click();
    await page.getByRole('dialog', { name: 'Generate a token' }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scopes' }).click();
    await page.getByRole('heading', { name: 'Scopes', level: 1 }).waitFor();
    await a11y(page, 'the scope catalogue at phone width');
  },
};
