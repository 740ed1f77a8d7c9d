package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/testkit"
)

// run serves each API of the template on its own port: keymint's, the
// example HTTP API and, as the local stack deploys it, the example REST
// API; two APIs on one port are refused before anything listens.
func TestListenAPIs(t *testing.T) {
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(repo, "template.yaml")
	st, err := localrt.LoadStack(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := testkit.FreePort(t), testkit.FreePort(t), testkit.FreePort(t)
	tests := []struct {
		name            string
		port, ex, exRst int
		wantErr         string
	}{
		{"each its own port", a, b, c, ""},
		{"PORT and EXAMPLE_PORT", a, a, c, "PORT and EXAMPLE_PORT are both"},
		{"PORT and EXAMPLE_REST_PORT", a, b, a, "PORT and EXAMPLE_REST_PORT are both"},
		{"EXAMPLE_PORT and EXAMPLE_REST_PORT", a, b, b, "EXAMPLE_PORT and EXAMPLE_REST_PORT are both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			apis, err := listenAPIs(st, settings{template: tmpl, port: tc.port, examplePort: tc.ex, exampleRestPort: tc.exRst})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, api := range apis {
				api.ln.Close()
				got = append(got, api.id+"="+api.portVar)
			}
			want := []string{"KeymintApi=PORT", "ExampleApi=EXAMPLE_PORT", "ExampleRestApi=EXAMPLE_REST_PORT"}
			if !slices.Equal(got, want) || !apis[2].rest || apis[2].port != tc.exRst {
				t.Errorf("APIs %v, want %v", got, want)
			}
		})
	}
}
