package authz_test

import (
	"testing"

	"github.com/keymint/keymint/infra/ddbtest"
)

func TestMain(m *testing.M) { ddbtest.Main(m) }
