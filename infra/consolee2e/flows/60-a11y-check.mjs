// The accessibility check itself can fail: an unlabelled field and text
// too faint to read, put on the page, are both found.
export default {
  name: 'the accessibility check finds violations',
  async run({ page, signIn, a11y }) {
    await signIn(page, 'alice');
    // After the page has drawn, which replaces what <main> holds.
    await page.getByRole('heading', { name: 'Your tokens', level: 1 }).waitFor();
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      const faint = document.createElement('p');
      faint.textContent = 'faint';
      faint.style.color = '#eee';
      document.getElementById('foot').append(input, faint);
    });
    let found = '';
    try {
      await a11y(page, 'a page with planted faults');
    } catch (e) {
      found = e.message;
    }
    for (const rule of ['label', 'color-contrast']) {
      if (!found.includes(rule)) throw new Error(`axe did not report ${rule}: ${found || 'no violation at all'}`);
    }
  },
};
