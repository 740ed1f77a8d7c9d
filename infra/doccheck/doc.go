// Package doccheck runs the shell commands the documentation shows, so a
// newcomer who follows README.md (and docs/) never meets a command that
// does not do what its page says.
//
// Every ```sh block in README.md and docs/*.md carries a directive, an
// HTML comment on the line before its fence (invisible on GitHub):
//
//	<!-- doc: run -->                       run it, in page order, in one bash per page
//	<!-- doc: start "Ctrl-C stops" -->      start it in the background, ready when its output holds the text
//	<!-- doc: not run: <why> -->            shown only; the reason is required (an AWS account, minutes of CPU, …)
//
// Inside a run block, lines starting with "#> " after a command are what
// it must print (standard output, with "…" standing for any text), so a
// comment's promise is checked too. A block without a directive fails the
// test: nothing is shown to readers that the test does not account for.
//
// TestDocsCommandsRun starts the page's `make run` block as a reader
// would (its own LOCAL_DIR and ports, passed as the environment the
// commands read) and runs every run block against it.
package doccheck
