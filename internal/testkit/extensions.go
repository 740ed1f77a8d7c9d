package testkit

import (
	"testing"

	"github.com/keymint/keymint/internal/extapi"
)

// ExtensionsAPI is the emulated Lambda Extensions API of one execution
// environment of ValidateFunction, closed when the test ends: what
// AWS_LAMBDA_RUNTIME_API names for the function under test.
func ExtensionsAPI(t testing.TB) *extapi.Server {
	t.Helper()
	s, err := extapi.Start(extapi.Function{Name: "ValidateFunction", Version: "$LATEST", Handler: "bootstrap",
		ARN: "arn:aws:lambda:us-east-1:123456789012:function:ValidateFunction"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
