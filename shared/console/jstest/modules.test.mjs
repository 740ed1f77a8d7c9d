// How the console's modules hang together: each loads with the names it
// imports, a page module is imported by app.js alone, no two modules
// declare a function of one name, the pure modules touch no DOM, and the
// stylesheet uses no deprecated property.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';

const assets = new URL('../assets/', import.meta.url);
const files = (await readdir(assets)).filter((f) => f.endsWith('.js')).sort();
const source = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(new URL(f, assets), 'utf8')])));
const importsOf = (f) => [...source[f].matchAll(/^import\s*\{[^}]*\}\s*from\s*'\.\/([a-z0-9-]+\.js)';/gm)].map((m) => m[1]);
// Page modules draw a route's screen: they export a function named *Page.
const pages = files.filter((f) => /^export async function \w+Page\(/m.test(source[f]));
// Pure modules say so in their first comment, and node:test runs them.
const pure = files.filter((f) => /^\/\/[^\n]*\n(?:\/\/[^\n]*\n)*/.exec(source[f])?.[0].includes('Pure (no DOM)'));

test('every module but app.js (which starts the page) loads, with every name it imports', async () => {
  for (const f of files.filter((x) => x !== 'app.js')) {
    await assert.doesNotReject(import(new URL(f, assets)), f);
  }
});

test('a page module is imported by app.js alone', () => {
  assert.deepEqual(pages, ['owners.js', 'scopes.js', 'token.js', 'tokens.js']);
  for (const f of files.filter((x) => x !== 'app.js')) {
    const wrong = importsOf(f).filter((i) => pages.includes(i));
    assert.deepEqual(wrong, [], `${f} imports page code from ${wrong.join(', ')}: move what it needs to a shared module`);
  }
  assert.deepEqual(importsOf('app.js').filter((i) => pages.includes(i)).sort(), pages);
});

test('no two modules declare a function of the same name', () => {
  const where = new Map();
  for (const f of files) {
    for (const [, name] of source[f].matchAll(/^(?:export )?(?:async )?function (\w+)\(/gm)) {
      assert.ok(!where.has(name), `${name} is declared in ${where.get(name)} and ${f}`);
      where.set(name, f);
    }
  }
});

test('pure modules import only pure modules and touch no DOM', () => {
  assert.deepEqual(pure, ['dates.js', 'problems.js', 'scopeset.js', 'text.js', 'tokenrules.js']);
  for (const f of pure) {
    assert.deepEqual(importsOf(f).filter((i) => !pure.includes(i)), [], f);
    assert.doesNotMatch(source[f], /\b(document|window|location|navigator|sessionStorage|localStorage)\b/, f);
  }
});

test('the stylesheet uses clip-path, not the deprecated clip', async () => {
  const css = await readFile(new URL('app.css', assets), 'utf8');
  assert.doesNotMatch(css, /(^|[\s;{])clip\s*:/m);
});
