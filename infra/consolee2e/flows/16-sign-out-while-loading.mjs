// Signing out while a page is still loading leaves the signed-out screen
// in place: the page's answer, arriving after, neither replaces it nor
// fails on the emptied sign-in (it once showed "Something went wrong").
export default {
  name: 'sign out while a page loads',
  async run({ page, signIn, expectText }) {
    await signIn(page, 'alice');
    await expectText(page.getByRole('main'), 'No tokens yet.');

    // The next token list is held until alice has signed out.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let arrived;
    const asked = new Promise((resolve) => { arrived = resolve; });
    const tokenList = (u) => u.pathname.endsWith('/tokens');
    await page.route(tokenList, async (r) => {
      arrived();
      await held;
      await r.continue();
    });
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/tokens'));
    await page.evaluate(() => { location.hash = '#/tokens?status=all'; });
    await asked;
    await expectText(page.getByRole('main'), 'Loading…');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectText(page.getByRole('main'), 'You are signed out of keymint.');
    release();
    await answered;
    // The page's code runs on the answer's body after it arrives: let it.
    await page.evaluate(() => new Promise((r) => { setTimeout(r, 200); }));
    const shown = await page.getByRole('main').innerText();
    if (!shown.includes('You are signed out of keymint.') || shown.includes('Something went wrong')) {
      throw new Error(`after the held answer the page shows ${JSON.stringify(shown)}`);
    }
    await page.unroute(tokenList);
  },
};
