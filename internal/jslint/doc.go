// Package jslint is the lint gate's JavaScript half: ESLint (flat config,
// eslint.config.mjs here) over the web console's modules, their node:test
// unit tests and the browser tests' scripts. ESLint is pinned in
// package.json and package-lock.json and installed by npmpin into
// <LOCAL_DIR>/jslint the first time (npm), beside the config; `make lint`
// runs it through infra/cmd/jslint, so `make test` does too.
package jslint
