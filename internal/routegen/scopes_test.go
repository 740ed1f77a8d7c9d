package routegen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/keymint/keymint/internal/routegen"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/policy"
)

// The catalogue's management entries follow the table: a route of a
// scope is appended to that scope's routes, a route of a new scope makes
// its entry, any-token and self routes land in their lists, and the API's
// own scopes, the bundles and every description stay as written. Short
// lists stay on one line, long ones get a line per route.
func TestScopesFollowTheTable(t *testing.T) {
	t.Parallel()
	doc := []byte(`{
  "scopes": {
    "things:read": {
      "description": "Read things.",
      "routes": ["GET /old"]
    },
    "orders:read": {
      "description": "Example API scope.",
      "routes": ["GET /orders", "GET /orders/*"]
    }
  },
  "anyToken": ["GET /gone"],
  "bundles": {
    "all": ["things:read", "orders:read"]
  }
}
`)
	long := api.Route{Method: "DELETE", Path: "/things/{id}/a-rather-long-path-segment/{other}", Function: "ThingFunction", OperationID: "dropThing",
		Access: api.Access{Scope: "things:write"}}
	routes := append(slices.Clone(testRoutes), long, long, long)
	got, err := routegen.Scopes(doc, routes)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "scopes": {
    "things:read": {
      "description": "Read things.",
      "routes": ["GET /things/*"]
    },
    "orders:read": {
      "description": "Example API scope.",
      "routes": ["GET /orders", "GET /orders/*"]
    },
    "things:write": {
      "description": "",
      "routes": [
        "DELETE /things/*/a-rather-long-path-segment/*",
        "DELETE /things/*/a-rather-long-path-segment/*",
        "DELETE /things/*/a-rather-long-path-segment/*"
      ]
    }
  },
  "anyToken": ["POST /things"],
  "bundles": {
    "all": ["things:read", "orders:read"]
  },
  "self": ["GET /things/{self}"]
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// What it writes is a catalogue policy reads, the new scope included
	// (its description is for people to write).
	cat, err := policy.Parse(got)
	if err != nil {
		t.Fatalf("policy refused the generated catalogue: %v", err)
	}
	if !cat.Known("things:write") {
		t.Error("the new scope is not in the catalogue policy read")
	}
}

// The shipped catalogue comes back byte for byte through the generator:
// its layout is the one the generator writes.
func TestScopesPassThroughUnchanged(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../" + routegen.ScopesPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := routegen.Scopes(doc, api.Table())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, doc) {
		t.Errorf("scopes.json changed on the way through: %s", firstDiff(got, doc))
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
}

func TestScopesRefuses(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`{}`, `{"scopes": []}`} {
		if _, err := routegen.Scopes([]byte(doc), testRoutes); !errors.Is(err, routegen.ErrNoScopes) {
			t.Errorf("%s: %v, want ErrNoScopes", doc, err)
		}
	}
	if _, err := routegen.Scopes([]byte(`{"scopes": `), testRoutes); err == nil {
		t.Error("a truncated catalogue was accepted")
	}
}
