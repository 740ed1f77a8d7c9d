package validatefn_test

import (
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// TestMain runs the tests against DynamoDB Local (testkit starts it).
func TestMain(m *testing.M) { testkit.Main(m) }
