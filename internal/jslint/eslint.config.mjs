// ESLint flat config for keymint's JavaScript: the web console's modules
// (browser, ES modules, no build step), their node:test unit tests, and
// the browser tests' Node.js scripts. npmpin installs it beside the pinned
// ESLint (<LOCAL_DIR>/jslint), and jslint runs ESLint from the repository
// root with --config, so the file patterns below are the repository's.
import js from '@eslint/js';
import globals from 'globals';

// What catches real bugs in this code, beyond the recommended set.
const bugs = {
  'eqeqeq': ['error', 'always'],
  'no-implicit-globals': 'error',
  'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'all', ignoreRestSiblings: true }],
  'no-shadow': ['error', { builtinGlobals: false, hoist: 'functions' }],
  'no-var': 'error',
  'prefer-const': 'error',
  'no-self-compare': 'error',
  'no-template-curly-in-string': 'error',
  'no-unmodified-loop-condition': 'error',
  'no-unreachable-loop': 'error',
  'no-promise-executor-return': 'error',
  'array-callback-return': 'error',
  'no-eval': 'error',
  'no-implied-eval': 'error',
  'no-new-func': 'error',
  'no-script-url': 'error',
  'no-return-assign': 'error',
  'no-throw-literal': 'error',
  'no-useless-concat': 'error',
};

export default [
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: bugs,
  },
  {
    // The console runs in the browser under a strict Content-Security-Policy.
    files: ['shared/console/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
    rules: {
      // Everything shown goes through h() and text nodes: markup from an
      // API answer must never be parsed.
      'no-restricted-properties': ['error',
        { property: 'innerHTML', message: 'Build elements with h() from dom.js; never parse markup.' },
        { property: 'outerHTML', message: 'Build elements with h() from dom.js; never parse markup.' },
        { object: 'document', property: 'write', message: 'Build elements with h() from dom.js.' },
        { object: 'Math', property: 'random', message: 'Ids come from nextId() (dom.js), secrets from crypto.' }],
    },
  },
  {
    files: ['shared/console/jstest/**/*.mjs', 'internal/jslint/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // The browser tests run under Node.js, and hand functions to the page
    // (page.evaluate), which run in the browser.
    files: ['infra/consolee2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
