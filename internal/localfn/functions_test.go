package localfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/localfn"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.MainLocalAWS(m) }

func build(t *testing.T, ids ...string) localfn.Functions {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	st, err := localrt.LoadStack(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := localrt.EnsureKeyring(filepath.Join(dir, "keyring.json")); err != nil {
		t.Fatal(err)
	}
	fns, err := localfn.Build(context.Background(), st, localrt.EnvOptions{Endpoint: testkit.Endpoint(), LocalDir: dir}, ids...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fns.Close() })
	return fns
}

// registerErrorType is what Register answers an extension arriving now.
func registerErrorType(t *testing.T, addr string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/2020-01-01/extension/register", strings.NewReader(`{"events":["INVOKE"]}`))
	req.Header.Set("Lambda-Extension-Name", "late")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Type string `json:"errorType"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Type
}

// Every function gets an execution environment of its own, whose Init is
// over once Build returns.
func TestBuildGivesEachFunctionAnEnvironment(t *testing.T) {
	t.Parallel()
	fns := build(t)
	if len(fns) < 2 {
		t.Fatalf("built %d functions", len(fns))
	}
	addrs := map[string]string{}
	for id, f := range fns {
		if f.Env == nil {
			t.Errorf("%s has no environment", id)
			continue
		}
		if other, taken := addrs[f.Env.Addr()]; taken {
			t.Errorf("%s and %s share %s", id, other, f.Env.Addr())
		}
		addrs[f.Env.Addr()] = id
		if got := registerErrorType(t, f.Env.Addr()); got != "Extension.RegistrationClosed" {
			t.Errorf("%s: Register after Build answered %q, want Extension.RegistrationClosed", id, got)
		}
	}
	// ValidateFunction registers its usage extension from its constructor:
	// AWS_LAMBDA_RUNTIME_API was there during its Init.
	if exts := fns["ValidateFunction"].Env.Extensions(); len(exts) != 1 || !slices.Equal(exts[0].Events, []string{"INVOKE"}) {
		t.Errorf("ValidateFunction's extensions: %+v, want one, for INVOKE", exts)
	}
}

// Close ends the environments: an invocation after it fails as on a dead
// sandbox.
func TestCloseEndsEnvironments(t *testing.T) {
	t.Parallel()
	fns := build(t, "DescribeFunction")
	if err := fns.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := localrt.Invoke(context.Background(), fns["DescribeFunction"], []byte(`{}`))
	var fe *localrt.FunctionError
	if !errors.As(err, &fe) || fe.Type != localrt.ErrorTypeEnvironment {
		t.Errorf("Invoke after Close: %v, want a %s", err, localrt.ErrorTypeEnvironment)
	}
	if err := fns.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
