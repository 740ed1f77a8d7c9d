package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/localrt"
)

func templatePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SET and ENV_VARS reach the functions that declare each setting, SET
// over the file; what is in effect is described for start-up output.
func TestOverridesReachDeclaringFunctions(t *testing.T) {
	st, err := localrt.LoadStack(templatePath(t))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "env.json")
	if err := os.WriteFile(file, []byte(`{"Parameters":{"LAST_USED_INTERVAL":"30s","VALIDATE_CACHE_TTL":"5s"},"ValidateFunction":{"VALIDATE_CACHE_TTL":"9s"},"IssueFunction":{"LAST_USED_INTERVAL":"10s"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := settings{localDir: t.TempDir(), template: "template.yaml"}
	s, err = s.withOverrides(st, file, "TOKENS_REQUIRE_ENABLEMENT=true  VALIDATE_CACHE_TTL=1s")
	if err != nil {
		t.Fatal(err)
	}
	for id, f := range st.Functions {
		env, err := localrt.FunctionEnv(f, s.withOIDC(oidcSettings{Issuer: "http://127.0.0.1:1", Audience: "a"}).envOptions())
		if err != nil {
			t.Fatal(err)
		}
		interval := map[bool]string{true: "10s", false: "30s"}[id == "IssueFunction"]
		if env["TOKENS_REQUIRE_ENABLEMENT"] != "true" || env["LAST_USED_INTERVAL"] != interval {
			t.Errorf("%s: TOKENS_REQUIRE_ENABLEMENT %q, LAST_USED_INTERVAL %q", id, env["TOKENS_REQUIRE_ENABLEMENT"], env["LAST_USED_INTERVAL"])
		}
		// VALIDATE_CACHE_TTL is ValidateFunction's alone: SET's value, over
		// the file's own for that function.
		if v, ok := env["VALIDATE_CACHE_TTL"]; ok != (id == "ValidateFunction") || ok && v != "1s" {
			t.Errorf("%s: VALIDATE_CACHE_TTL %q (set %v)", id, v, ok)
		}
	}
	want := []string{
		"LAST_USED_INTERVAL=10s (IssueFunction)",
		"LAST_USED_INTERVAL=30s (ConsoleFunction, DescribeFunction, ExampleFunction, RevokeFunction, SweeperFunction, ValidateFunction)",
		"TOKENS_REQUIRE_ENABLEMENT=true (all 7 functions)",
		"VALIDATE_CACHE_TTL=1s (ValidateFunction)",
	}
	if !slices.Equal(s.overrides, want) {
		t.Errorf("described as %q, want %q", s.overrides, want)
	}
}

// A setting no function declares, a malformed pair, or an env-vars file
// naming what the template lacks is refused before anything starts, naming
// it and where settings are documented.
func TestOverridesRefusedBeforeAnythingStarts(t *testing.T) {
	dir := t.TempDir()
	envFile := func(body string) string {
		p := filepath.Join(dir, strings.NewReplacer("{", "", "}", "", `"`, "", ":", "").Replace(body)[:10]+".json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		flags []string
		names string // what the message must name
	}{
		{"undeclared", []string{"-set", "TOKENS_REQUIRE_ENABLMENT=true"}, "TOKENS_REQUIRE_ENABLMENT"},
		{"local only", []string{"-set", "KEYMINT_ALLOW_CLOCK_OVERRIDE=1"}, "KEYMINT_ALLOW_CLOCK_OVERRIDE"},
		{"no value", []string{"-set", "LAST_USED_INTERVAL"}, `"LAST_USED_INTERVAL"`},
		{"no name", []string{"-set", "=1m"}, `"=1m"`},
		{"bad name", []string{"-set", "LAST-USED=1m"}, `"LAST-USED=1m"`},
		{"twice", []string{"-set", "LAST_USED_INTERVAL=1m LAST_USED_INTERVAL=2m"}, "LAST_USED_INTERVAL twice"},
		{"file: undeclared", []string{"-env-vars", envFile(`{"Parameters":{"NOPE_NOT_A_SETTING":"1"}}`)}, "Parameters.NOPE_NOT_A_SETTING"},
		{"file: not that function's", []string{"-env-vars", envFile(`{"SweeperFunction":{"VALIDATE_CACHE_TTL":"1s"}}`)}, "SweeperFunction.VALIDATE_CACHE_TTL"},
		{"file: unknown function", []string{"-env-vars", envFile(`{"OrdersFunction":{"TABLE_NAME":"x"}}`)}, `"OrdersFunction"`},
		{"file: unreadable", []string{"-env-vars", filepath.Join(dir, "missing.json")}, "missing.json"},
	}
	t.Setenv("LOCAL_DIR", filepath.Join(dir, "local"))
	// Cancelled: had a command got as far as starting anything, it would
	// stop at once rather than serve.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range tests {
		for _, cmd := range [][]string{{"run"}, {"invoke", "ValidateFunction"}} {
			t.Run(tc.name+"/"+cmd[0], func(t *testing.T) {
				args := append(append(slices.Clone(cmd), "-template", templatePath(t)), tc.flags...)
				var out, errOut bytes.Buffer
				err := dispatch(ctx, args, &out, &errOut)
				if !errors.Is(err, ErrOverride) {
					t.Fatalf("err %v, want ErrOverride", err)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.names) {
					t.Errorf("%q does not name %s", msg, tc.names)
				}
				if tc.name != "file: unreadable" && tc.name != "twice" && !strings.Contains(msg, settingsDocs) {
					t.Errorf("%q does not say where settings are documented", msg)
				}
				if _, err := os.Stat(filepath.Join(dir, "local")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("LOCAL_DIR was created: something started")
				}
			})
		}
	}
}
