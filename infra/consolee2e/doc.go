// Package consolee2e is the web console's browser test harness: it runs
// the local stack as `make run` does (keymint-local on a fresh LOCAL_DIR,
// DynamoDB Local, the development OpenID provider) and drives the console
// in a real headless Chromium with playwright-core under Node.js. A second
// stack, started beside the first, runs with TOKENS_REQUIRE_ENABLEMENT
// (keymint-local -env-vars) for the flows that name it (stack:
// 'enablement').
//
// The flows are plain ES modules in flows/ (one flow, or an array of them,
// per file, run in file-name order), run by flows.mjs, which also holds the
// helpers they get (signIn, shot, expectText). playwright-core is pinned in
// package.json and package-lock.json and installed by npmpin into
// <repo>/.local/console-e2e; it drives the system's Chromium (CHROMIUM,
// default /usr/bin/chromium, installed by `make deps`) and never downloads
// a browser of its own.
//
// `make console-e2e` runs only this test; screenshots land in
// <repo>/.local/screenshots (SCREENSHOT_DIR overrides), and a failed flow
// leaves failed-<flow>.png there. The package exports nothing.
package consolee2e
