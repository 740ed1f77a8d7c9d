package registry

import (
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/consolefn"
	"github.com/keymint/keymint/shared/app/issuefn"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/app/revokefn"
	"github.com/keymint/keymint/shared/app/sweeperfn"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/example"
)

// Functions is every keymint function by logical id. Each entry is the
// constructor its main.go passes to app.Build (TestEachMainBuildsItsFunction
// holds the two to it).
func Functions() map[string]app.Function {
	return map[string]app.Function{
		"IssueFunction":    issuefn.Issue,
		"RevokeFunction":   revokefn.Revoke,
		"DescribeFunction": managefn.Describe,
		"ValidateFunction": validatefn.Lambda,
		"SweeperFunction":  sweeperfn.Lambda,
		"ConsoleFunction":  consolefn.Lambda,
	}
}

// Standalone is every function of the template that needs no keymint App,
// as a customer's own backend needs none: the example API's backend. Each
// entry is the handler its main.go passes to lambda.Start, made a
// lambda.Handler the way lambda.Start makes it (app.Typed; see there why
// not lambda.NewHandler).
func Standalone() map[string]lambda.Handler {
	return map[string]lambda.Handler{
		"ExampleFunction": app.Typed(example.Serve),
	}
}

// FunctionIDs lists the logical ids of both, sorted.
func FunctionIDs() []string {
	ids := slices.Collect(maps.Keys(Functions()))
	ids = slices.AppendSeq(ids, maps.Keys(Standalone()))
	slices.Sort(ids)
	return ids
}
