package consolee2e

import (
	"embed"
	"testing"

	"github.com/keymint/keymint/internal/npmpin"
)

// playwrightCore is the pinned driver; package.json and its lock name the
// same version. playwright-core brings no browser: flows.mjs launches the
// system's Chromium.
const playwrightCore = "playwright-core@1.65.1"

// axeCore checks each screen against WCAG 2.1 A/AA (flows.mjs a11y).
const axeCore = "axe-core@4.14.1"

// Only the dependency files are installed: the flows run from this
// directory (flows.mjs loads playwright-core from the install), so editing a
// flow needs no reinstall.
//
//go:embed package.json package-lock.json
var npmFiles embed.FS

// tree is the install under <repo>/.local/console-e2e, shared by every run.
func tree() npmpin.Tree {
	return npmpin.Tree{Dir: "console-e2e", Files: npmFiles, Package: playwrightCore, Also: []string{axeCore}}
}

// TestPinnedVersion: package.json, its lock and the constants above name
// the same versions, and nothing else.
func TestPinnedVersion(t *testing.T) {
	if err := tree().CheckPinned(); err != nil {
		t.Error(err)
	}
}
