package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/oidc"
	"github.com/keymint/keymint/internal/oidc/oidctest"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/internal/testkit"
)

func TestReadEvent(t *testing.T) {
	const tok = "kmt_ABCDEFGHIJKLMNOP_secretsecretsecretsecretsecretsecret123456"
	tests := []struct {
		name     string
		event    string // "" means no file argument
		adminTok string // "" means no admin-token file
		want     string
		wantErr  error
	}{
		{"no event", "", "", "{}", nil},
		{"plain", `{"a":1}`, "", `{"a":1}`, nil},
		{"token and id", `{"token":"{{ADMIN_TOKEN}}","id":"{{ADMIN_TOKEN_ID}}"}`, tok + "\n",
			`{"token":"` + tok + `","id":"ABCDEFGHIJKLMNOP"}`, nil},
		{"placeholder without admin token", `{"token":"{{ADMIN_TOKEN}}"}`, "", "", ErrNoAdminToken},
		{"id placeholder without admin token", `{"id":"{{ADMIN_TOKEN_ID}}"}`, "", "", ErrNoAdminToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			admin := filepath.Join(dir, "admin-token")
			if tc.adminTok != "" {
				if err := os.WriteFile(admin, []byte(tc.adminTok), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path := ""
			if tc.event != "" {
				path = filepath.Join(dir, "event.json")
				if err := os.WriteFile(path, []byte(tc.event), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readEvent(path, admin)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if string(got) != tc.want {
				t.Errorf("event = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestReadEventRejectsInvalidJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"a":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readEvent(path, filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestInvokeOutput(t *testing.T) {
	tests := []struct {
		name     string
		handler  any
		wantOut  string
		wantExit int
	}{
		{"answer", func() (map[string]bool, error) { return map[string]bool{"active": false}, nil }, `{"active":false}` + "\n", 0},
		{"error", func() error { return errors.New("Unauthorized") }, `{"errorMessage":"Unauthorized","errorType":"errorString"}` + "\n", 1},
		{"panic", func() error { panic("boom") }, `{"errorMessage":"boom","errorType":"string"}` + "\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := writeInvokeResult(&out, localrt.Invoke)(context.Background(), localrt.Target{ID: "F", Handler: lambda.NewHandler(tc.handler)}, []byte(`{}`))
			var ee exitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.code
			} else if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.wantOut || code != tc.wantExit {
				t.Fatalf("got %q exit %d, want %q exit %d", out.String(), code, tc.wantOut, tc.wantExit)
			}
		})
	}
}

func TestDispatchUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantExit int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"invoke"}, 2},
		{[]string{"test-ddb"}, 2},
		{[]string{"help"}, 0},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		err := dispatch(context.Background(), tc.args, &out, &errOut)
		code := 0
		var ee exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else if err != nil {
			code = -1
		}
		if code != tc.wantExit {
			t.Errorf("%v: exit %d (%v), want %d", tc.args, code, err, tc.wantExit)
		}
		if !strings.Contains(out.String()+errOut.String(), "usage") {
			t.Errorf("%v: no usage text", tc.args)
		}
	}
}

func TestKeyringCommand(t *testing.T) {
	var out bytes.Buffer
	if err := dispatch(context.Background(), []string{"keyring"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Current == "" || doc.Keys[doc.Current] == "" {
		t.Fatalf("keyring output %q: %v", out.String(), err)
	}
}

// TestRunEndToEnd drives the built command as `make run` does: first start
// bootstraps the keyring and an admin token, the API answers /whoami with
// it, `invoke` reaches the running stack, SIGTERM stops everything.
func TestRunEndToEnd(t *testing.T) {
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "keymint-local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	local := oidctest.StackDir(t)
	port, examplePort, restPort, ddbPort := testkit.FreePort(t), testkit.FreePort(t), testkit.FreePort(t), testkit.FreePort(t)
	env := append(os.Environ(), "LOCAL_DIR="+local, fmt.Sprintf("PORT=%d", port), fmt.Sprintf("EXAMPLE_PORT=%d", examplePort),
		fmt.Sprintf("EXAMPLE_REST_PORT=%d", restPort), fmt.Sprintf("DYNAMODB_PORT=%d", ddbPort))

	// As `make run SET=TOKENS_REQUIRE_ENABLEMENT=true` runs it.
	run := exec.Command(bin, "run", "-set", "TOKENS_REQUIRE_ENABLEMENT=true")
	run.Dir = repo
	run.Env = env
	stdout, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	run.Stderr = &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	t.Cleanup(func() {
		_ = run.Process.Kill()
	})
	ready := make(chan struct{})
	var banner testkit.Buffer // run's stdout, read while run writes it
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			banner.WriteString(sc.Text() + "\n")
			if !signalled && strings.HasPrefix(sc.Text(), "Ctrl-C stops") {
				close(ready)
				signalled = true
			}
		}
	}()
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("run exited early: %v\n%s", err, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("run not ready:\n%s", stderr.String())
	}

	for _, f := range []string{"keyring.json", "admin-token"} {
		fi, err := os.Stat(filepath.Join(local, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	tok, _ := os.ReadFile(filepath.Join(local, "admin-token"))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"Bearer " + strings.TrimSpace(string(tok)), 200},
		{"", 401},
	} {
		req, _ := http.NewRequest("GET", base+"/whoami", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /whoami (auth %v): %d %s, want %d", tc.auth != "", resp.StatusCode, body, tc.want)
		}
	}

	// The banner names the console, both APIs, the overrides in effect and
	// where the admin token is; the console is there.
	exampleBase := fmt.Sprintf("http://127.0.0.1:%d", examplePort)
	restBase := fmt.Sprintf("http://127.0.0.1:%d/v1", restPort)
	for _, want := range []string{
		"keymint web console on " + base + "/",
		"keymint API on " + base + "\n",
		"example orders API, protected by keymint, on " + exampleBase + "\n",
		"  GET /orders/{id} -> ExampleFunction\n",
		"example orders REST API with usage plans, protected by keymint, on " + restBase + "\n",
		"settings overridden (ENV_VARS, SET):\n  TOKENS_REQUIRE_ENABLEMENT=true (all 7 functions)\n",
		"admin token (tokens:admin tokens:read tokens:write) in " + filepath.Join(local, "admin-token") + "\n",
		"plans: infra/plans.example.json, new owners on team (bob on free); SET='PLANS_FILE= DEFAULT_PLAN=' runs without plans\n",
	} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("run's banner lacks %q:\n%s", want, banner.String())
		}
	}
	checkEnablement(t, base, strings.TrimSpace(string(tok)))
	checkExampleAPI(t, base, exampleBase, strings.TrimSpace(string(tok)))
	checkExampleRestAPI(t, base, restBase, strings.TrimSpace(string(tok)))
	if resp, err := http.Get(base + "/"); err != nil {
		t.Error(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET / %d %s, want the console's page", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	inv := exec.Command(bin, "invoke", "ValidateFunction", "-e", "events/validate-direct.json")
	inv.Dir, inv.Env = repo, env
	out, err := inv.Output()
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var answer struct {
		Active bool `json:"active"`
	}
	if err := json.Unmarshal(out, &answer); err != nil || !answer.Active {
		t.Errorf("invoke stdout %q: want only the answer, active", out)
	}

	// `admin` beside the running stack keeps the working token, and says
	// where it is: under the LOCAL_DIR in use, absolute.
	adm := exec.Command(bin, "admin")
	adm.Dir, adm.Env = repo, env
	if out, err := adm.Output(); err != nil || string(out) != "admin token in "+filepath.Join(local, "admin-token")+" still works\n" {
		t.Errorf("admin: %v, stdout %q", err, out)
	}

	idp := checkLogin(t, bin, repo, env, local, port, banner.String())

	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("run exited with %v after SIGTERM\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "DynamoDB Local stopped") {
		t.Errorf("DynamoDB Local not stopped:\n%s", stderr.String())
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", ddbPort), time.Second); err == nil {
		c.Close()
		t.Error("DynamoDB Local still listening after run stopped")
	}
	if strings.Contains(stderr.String(), strings.TrimSpace(string(tok))) {
		t.Error("the admin token appears in the log")
	}
	if !strings.Contains(stderr.String(), "OpenID Connect provider stopped") {
		t.Errorf("OIDC provider not stopped:\n%s", stderr.String())
	}
	if _, err := http.Get(idp.Issuer + "/.well-known/openid-configuration"); err == nil {
		t.Error("the OIDC provider still answers after run stopped")
	}
	login := exec.Command(bin, "login", "alice")
	login.Dir, login.Env = repo, env
	var loginErr bytes.Buffer
	login.Stderr = &loginErr
	if out, err := login.Output(); err == nil || len(out) != 0 || !strings.Contains(loginErr.String(), "make run") {
		t.Errorf("login with the stack stopped: %v, stdout %q, stderr %q; want an error naming `make run`", err, out, loginErr.String())
	}
}

// call sends one request with tok as bearer ("" none) and decodes a JSON
// answer.
func call(t *testing.T, method, url, tok, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v map[string]any
	_ = json.Unmarshal(raw, &v)
	return resp.StatusCode, v
}

// checkEnablement: run's -set reached the functions: an owner nobody
// enabled gets no token.
func checkEnablement(t *testing.T, base, admin string) {
	t.Helper()
	code, v := call(t, "POST", base+"/tokens", admin, `{"owner":"carol","name":"ci","scopes":["tokens:read"]}`)
	if code != http.StatusConflict || v["type"] != "https://keymint.dev/problems/owner-not-enabled" {
		t.Errorf("issue to an owner nobody enabled, with TOKENS_REQUIRE_ENABLEMENT=true: %d %v", code, v)
	}
}

// checkExampleAPI: the example orders API on its own port, behind keymint:
// 401 without a token, 403 for a token without orders scopes, 200 with the
// caller echoed for an orders:read token (on the routes it opens only).
func checkExampleAPI(t *testing.T, base, exampleBase, admin string) {
	t.Helper()
	code, issued := call(t, "POST", base+"/tokens", admin, `{"name":"orders-reader","scopes":["orders:read"]}`)
	reader, _ := issued["token"].(string)
	if code != http.StatusCreated || reader == "" {
		t.Fatalf("issue an orders:read token: %d %v", code, issued)
	}
	for _, tc := range []struct {
		method, path, tok, body string
		want                    int
	}{
		{"GET", "/orders/42", "", "", http.StatusUnauthorized},
		{"GET", "/orders/42", admin, "", http.StatusForbidden},
		{"POST", "/orders", reader, `{"item":"kite"}`, http.StatusForbidden},
		{"GET", "/orders/42", reader, "", http.StatusOK},
	} {
		code, v := call(t, tc.method, exampleBase+tc.path, tc.tok, tc.body)
		if code != tc.want {
			t.Errorf("%s %s (token %v): %d %v, want %d", tc.method, tc.path, tc.tok != "", code, v, tc.want)
			continue
		}
		if code != http.StatusOK {
			continue
		}
		caller, _ := v["caller"].(map[string]any)
		order, _ := v["order"].(map[string]any)
		if v["route"] != "GET /orders/{id}" || order["id"] != "42" || caller["kind"] != "token" || caller["tokenId"] != issued["id"] ||
			caller["owner"] != "admin" || fmt.Sprint(caller["scopes"]) != "[orders:read]" {
			t.Errorf("GET /orders/42 answered %v", v)
		}
	}
	// keymint's own API has no such route: the two APIs are apart.
	if code, _ := call(t, "GET", base+"/orders/42", reader, ""); code != http.StatusNotFound {
		t.Errorf("GET /orders/42 on keymint's API: %d, want 404", code)
	}
}

// checkExampleRestAPI: the example REST API answers below its stage with
// API Gateway's REST answers, through ValidateFunction: no token is 401, a
// route outside the token's scopes the authorizer's Deny, and an allowed
// token is served, metered by its owner's usage plan (admin is on team,
// the example plans' default, so its first token gave it an API key); bob
// was put on free once, through the management API; a path outside the
// stage or a route it lacks is Missing Authentication Token.
func checkExampleRestAPI(t *testing.T, base, restBase, admin string) {
	t.Helper()
	code, issued := call(t, "POST", base+"/tokens", admin, `{"name":"rest-reader","scopes":["orders:read"]}`)
	reader, _ := issued["token"].(string)
	if code != http.StatusCreated || reader == "" {
		t.Fatalf("issue an orders:read token: %d %v", code, issued)
	}
	if code, bob := call(t, "GET", base+"/owners/bob", admin, ""); code != http.StatusOK || bob["plan"] != "free" {
		t.Errorf("bob after the first run: %d %v, want on free", code, bob)
	}
	stageless, _ := strings.CutSuffix(restBase, "/v1")
	for _, tc := range []struct {
		url, tok string
		want     int
		body     string
	}{
		{restBase + "/orders/42", "", http.StatusUnauthorized, `{"message":"Unauthorized"}`},
		{restBase + "/orders/42", admin, http.StatusForbidden, `{"Message":"User is not authorized to access this resource with an explicit deny"}`},
		{restBase + "/orders/42", reader, http.StatusOK, ""},
		{restBase + "/customers", reader, http.StatusForbidden, `{"message":"Missing Authentication Token"}`},
		{stageless + "/orders/42", reader, http.StatusForbidden, `{"message":"Missing Authentication Token"}`},
	} {
		req, _ := http.NewRequest("GET", tc.url, nil)
		if tc.tok != "" {
			req.Header.Set("Authorization", "Bearer "+tc.tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || tc.body != "" && string(body) != tc.body || tc.body == "" && !strings.Contains(string(body), `"route":"GET /orders/{id}"`) {
			t.Errorf("GET %s (token %v): %d %s, want %d %s", tc.url, tc.tok != "", resp.StatusCode, body, tc.want, tc.body)
		}
	}
}

// checkLogin: run wrote oidc.json and announced the provider, and `login`
// prints on stdout only an ID token that go-oidc verifies, with root in the
// admin group.
func checkLogin(t *testing.T, bin, repo string, env []string, local string, apiPort int, banner string) oidcSettings {
	t.Helper()
	o, err := readOIDCSettings(local)
	if err != nil {
		t.Fatal(err)
	}
	if o.Audience != oidc.DefaultClientID || !strings.HasPrefix(o.Issuer, "http://127.0.0.1:") {
		t.Errorf("oidc.json %+v", o)
	}
	for _, want := range []string{o.Issuer, "alice", "bob", "root (keymint-admins)", "make -s login USER=alice"} {
		if !strings.Contains(banner, want) {
			t.Errorf("run's banner lacks %q:\n%s", want, banner)
		}
	}
	prov, err := gooidc.NewProvider(context.Background(), o.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	verifier := prov.Verifier(&gooidc.Config{ClientID: o.Audience})
	for _, tc := range []struct {
		args   []string
		groups []string
	}{
		{[]string{"login", "alice"}, []string{}},
		{[]string{"login", "root", "-password", "root"}, []string{oidc.AdminGroup}},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Dir, cmd.Env = repo, env
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tc.args, err, errOut.String())
		}
		raw := strings.TrimSuffix(string(out), "\n")
		if strings.ContainsAny(raw, " \n") || strings.Count(raw, ".") != 2 {
			t.Fatalf("%v: stdout %q, want only a JWT", tc.args, out)
		}
		idt, err := verifier.Verify(context.Background(), raw)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var c struct {
			Groups []string `json:"groups"`
		}
		if err := idt.Claims(&c); err != nil || idt.Subject != tc.args[1] || !slices.Equal(c.Groups, tc.groups) {
			t.Errorf("%v: sub %s, groups %v (%v)", tc.args, idt.Subject, c.Groups, err)
		}
	}
	bad := exec.Command(bin, "login", "alice", "-password", "wrong")
	bad.Dir, bad.Env = repo, env
	var errOut bytes.Buffer
	bad.Stderr = &errOut
	if out, err := bad.Output(); err == nil || len(out) != 0 || !strings.Contains(errOut.String(), "Wrong user name or password") {
		t.Errorf("login with a wrong password: %v, stdout %q, stderr %q", err, out, errOut.String())
	}
	// The console signs in from the API's origin: its redirect URIs are
	// registered, others are not.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for redirect, ok := range map[string]bool{
		fmt.Sprintf("http://127.0.0.1:%d/", apiPort): true,
		fmt.Sprintf("http://localhost:%d/", apiPort): true,
		"http://127.0.0.1:1/":                        false,
	} {
		q := url.Values{"client_id": {o.Audience}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {redirect},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
		resp, err := noRedirect.Get(o.Issuer + "/auth?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		accepted := resp.StatusCode == http.StatusSeeOther && loc != nil && strings.HasPrefix(loc.Path, "/interaction/")
		if accepted != ok {
			t.Errorf("redirect_uri %s: %s to %v; want accepted %v", redirect, resp.Status, loc, ok)
		}
	}
	return o
}

// TestOIDCOverrides: the provider's settings reach a function that declares
// the variables (and only those), and an -env-vars file still wins.
func TestOIDCOverrides(t *testing.T) {
	o := oidcSettings{Issuer: "http://127.0.0.1:4567", Audience: "keymint-local"}
	s := settings{localDir: t.TempDir(), envVars: map[string]map[string]string{"Parameters": {"OIDC_AUDIENCE": "mine"}}}
	f := &stack.Function{LogicalID: "DescribeFunction", Env: map[string]string{
		"TABLE_NAME": "t", "OIDC_ISSUER": "", "OIDC_AUDIENCE": "", "OIDC_ADMIN_CLAIM": "cognito:groups", "OIDC_ADMIN_VALUE": "",
	}}
	env, err := localrt.FunctionEnv(f, s.withOIDC(o).envOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"OIDC_ISSUER": o.Issuer, "OIDC_AUDIENCE": "mine", "OIDC_ADMIN_CLAIM": "groups", "OIDC_ADMIN_VALUE": "keymint-admins"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if s.envVars["Parameters"]["OIDC_ISSUER"] != "" {
		t.Error("withOIDC changed the settings it was given")
	}
	undeclared, err := localrt.FunctionEnv(&stack.Function{LogicalID: "SweeperFunction", Env: map[string]string{"TABLE_NAME": "t"}}, s.withOIDC(o).envOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := undeclared["OIDC_ISSUER"]; ok {
		t.Error("OIDC_ISSUER reached a function that does not declare it")
	}

	// invoke reads what run wrote, and nothing when run never ran.
	if got, err := s.withSavedOIDC(); err != nil || got.envVars["Parameters"]["OIDC_ISSUER"] != "" {
		t.Errorf("without oidc.json: %v, %v", got.envVars, err)
	}
	if err := writeOIDCSettings(s.localDir, o); err != nil {
		t.Fatal(err)
	}
	if got, err := s.withSavedOIDC(); err != nil || got.envVars["Parameters"]["OIDC_ISSUER"] != o.Issuer {
		t.Errorf("with oidc.json: %v, %v", got.envVars, err)
	}
}

func TestLoginWithoutTheStack(t *testing.T) {
	// A relative LOCAL_DIR, as make passes its default: the messages name
	// it absolute.
	t.Chdir(t.TempDir())
	t.Setenv("LOCAL_DIR", "state")
	local, err := filepath.Abs("state")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(local, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		oidcJSON string // "" means none
		want     string
	}{
		{"usage", nil, "", "usage"},
		{"two users", []string{"alice", "bob"}, "", "usage"},
		// Both name the LOCAL_DIR looked in, absolute, and ask for `make
		// run` with that same LOCAL_DIR.
		{"no oidc.json", []string{"alice"}, "", "no " + filepath.Join(local, "oidc.json") + " (LOCAL_DIR is " + local + ")"},
		{"no oidc.json, make run", []string{"alice"}, "", "start `make run` with the same LOCAL_DIR"},
		{"provider stopped", []string{"-password", "x", "alice"}, `{"issuer":"http://127.0.0.1:1","audience":"keymint-local"}`, "start `make run` with LOCAL_DIR=" + local},
		{"provider stopped, file", []string{"alice"}, `{"issuer":"http://127.0.0.1:1","audience":"keymint-local"}`, filepath.Join(local, "oidc.json")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(oidcFile(local))
			if tc.oidcJSON != "" {
				if err := os.WriteFile(oidcFile(local), []byte(tc.oidcJSON), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out, errOut bytes.Buffer
			err := dispatch(context.Background(), append([]string{"login"}, tc.args...), &out, &errOut)
			msg := errOut.String()
			if err != nil {
				msg += err.Error()
			}
			if err == nil || out.Len() != 0 || !strings.Contains(msg, tc.want) {
				t.Errorf("err %v, stdout %q, stderr %q; want an error with %q", err, out.String(), errOut.String(), tc.want)
			}
		})
	}
}

// TestOIDCPortReused: a restart keeps the provider's port, and so its
// issuer and tokens, unless something else took it.
func TestOIDCPortReused(t *testing.T) {
	local := t.TempDir()
	if got := oidcPort(local); got != 0 {
		t.Errorf("no oidc.json: port %d, want 0", got)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := testkit.FreePort(t)
	for port, want := range map[int]int{free: free, busy.Addr().(*net.TCPAddr).Port: 0} {
		if err := writeOIDCSettings(local, oidcSettings{Issuer: fmt.Sprintf("http://127.0.0.1:%d", port), Audience: "a"}); err != nil {
			t.Fatal(err)
		}
		if got := oidcPort(local); got != want {
			t.Errorf("previous port %d: got %d, want %d", port, got, want)
		}
	}
}
