package store_test

import (
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
