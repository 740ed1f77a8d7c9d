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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/internal/ddblocal"
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

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
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
	// A fresh LOCAL_DIR sharing the repository's jar, so npm runs at most once.
	if _, err := ddblocal.EnsureInstalled(context.Background(), filepath.Join(repo, ".local")); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	if err := os.Symlink(filepath.Join(repo, ".local", "node_modules"), filepath.Join(local, "node_modules")); err != nil {
		t.Fatal(err)
	}
	port, ddbPort := freePort(t), freePort(t)
	env := append(os.Environ(), "LOCAL_DIR="+local, fmt.Sprintf("PORT=%d", port), fmt.Sprintf("DYNAMODB_PORT=%d", ddbPort))

	run := exec.Command(bin, "run")
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
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.HasPrefix(sc.Text(), "keymint API on") {
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
}
