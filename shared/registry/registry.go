package registry

import (
	"maps"
	"slices"

	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/console"
	"github.com/keymint/keymint/shared/sweep"
	"github.com/keymint/keymint/shared/validate"
)

// Functions is every function by logical id. Each entry is the constructor
// its main.go passes to app.Build (TestEachMainBuildsItsFunction holds the
// two to it).
func Functions() map[string]app.Function {
	return map[string]app.Function{
		"IssueFunction":    api.IssueLambda,
		"RevokeFunction":   api.RevokeLambda,
		"DescribeFunction": api.DescribeLambda,
		"ValidateFunction": validate.Lambda,
		"SweeperFunction":  sweep.Lambda,
		"ConsoleFunction":  console.Lambda,
	}
}

// FunctionIDs lists the logical ids, sorted.
func FunctionIDs() []string { return slices.Sorted(maps.Keys(Functions())) }
