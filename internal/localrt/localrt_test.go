package localrt_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

type customErr struct{}

func (*customErr) Error() string { return "custom" }

func TestInvokeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handler  any
		timeout  time.Duration
		wantMsg  string
		wantType string
	}{
		{"errors.New", func() error { return errors.New("Unauthorized") }, 0, "Unauthorized", "errorString"},
		{"custom type", func() error { return &customErr{} }, 0, "custom", "customErr"},
		{"lambda error value", func() error { return messages.InvokeResponse_Error{Message: "m", Type: "T"} }, 0, "m", "T"},
		{"panic", func() error { panic("bad state") }, 0, "bad state", "string"},
		{"timeout", func(ctx context.Context) error { time.Sleep(300 * time.Millisecond); return nil }, 50 * time.Millisecond,
			"Task timed out after 0.05 seconds", localrt.ErrorTypeTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := localrt.Invoke(context.Background(), localrt.Target{ID: "F", Handler: lambda.NewHandler(tc.handler), Timeout: tc.timeout}, []byte(`{}`))
			var fe *localrt.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FunctionError", err)
			}
			if fe.Message != tc.wantMsg || fe.Type != tc.wantType {
				t.Fatalf("got {%q %q}, want {%q %q}", fe.Message, fe.Type, tc.wantMsg, tc.wantType)
			}
			if localrt.IsTimeout(err) != (tc.wantType == localrt.ErrorTypeTimeout) {
				t.Errorf("IsTimeout = %v", localrt.IsTimeout(err))
			}
		})
	}
}

func TestInvokeGivesLambdaContext(t *testing.T) {
	t.Parallel()
	var got *lambdacontext.LambdaContext
	var deadline time.Time
	h := lambda.NewHandler(func(ctx context.Context, in map[string]string) (map[string]string, error) {
		got, _ = lambdacontext.FromContext(ctx)
		deadline, _ = ctx.Deadline()
		return map[string]string{"echo": in["x"]}, nil
	})
	out, err := localrt.Invoke(context.Background(), localrt.Target{ID: "EchoFunction", Handler: h, Timeout: time.Minute}, []byte(`{"x":"y"}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != `{"echo":"y"}` {
		t.Errorf("out = %s", out)
	}
	if got == nil || got.AwsRequestID == "" || got.InvokedFunctionArn != localrt.ARN("EchoFunction") {
		t.Errorf("lambda context = %+v", got)
	}
	if until := time.Until(deadline); until < 50*time.Second || until > time.Minute {
		t.Errorf("deadline in %s, want about a minute", until)
	}
}

func TestFunctionEnv(t *testing.T) {
	t.Parallel()
	f := &stack.Function{LogicalID: "SweeperFunction", MemorySize: 256, Env: map[string]string{
		"TABLE_NAME": "keymint-tokens", "EVENT_BUS_NAME": "default", "RETENTION_DAYS": "30", "DYNAMODB_ENDPOINT": "",
	}}
	dir := t.TempDir()
	env, err := localrt.FunctionEnv(f, localrt.EnvOptions{
		Endpoint:   "http://127.0.0.1:8123",
		LocalDir:   dir,
		RuntimeAPI: "127.0.0.1:9001",
		Overrides: map[string]map[string]string{
			"Parameters":      {"RETENTION_DAYS": "7", "NOT_DECLARED": "x"},
			"SweeperFunction": {"RETENTION_DAYS": "9"},
			"OtherFunction":   {"TABLE_NAME": "other"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ key, want string }{
		{"TABLE_NAME", "keymint-tokens"},
		{"DYNAMODB_ENDPOINT", "http://127.0.0.1:8123"},
		{"LOCAL_DIR", dir},
		{"KEYMINT_ALLOW_CLOCK_OVERRIDE", "1"},
		{"AWS_REGION", "us-east-1"},
		{"AWS_ACCESS_KEY_ID", "local"},
		{"EVENT_BUS_NAME", ""},  // no EventBridge locally
		{"RETENTION_DAYS", "9"}, // function scope beats Parameters
		{"NOT_DECLARED", ""},    // as in SAM, undeclared variables are ignored
		{"AWS_LAMBDA_FUNCTION_NAME", "SweeperFunction"},
		{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
		{"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
		{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
	}
	for _, tc := range tests {
		if env[tc.key] != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, env[tc.key], tc.want)
		}
	}
	if f.Env["EVENT_BUS_NAME"] != "default" {
		t.Error("FunctionEnv changed the stack's own map")
	}
}

func TestReadEnvVars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    map[string]map[string]string
		wantErr bool
	}{
		{"strings numbers booleans", `{"Parameters":{"A":"x","B":30,"C":true}}`,
			map[string]map[string]string{"Parameters": {"A": "x", "B": "30", "C": "true"}}, false},
		{"nested object", `{"F":{"A":{"x":1}}}`, nil, true},
		{"not JSON", `{`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "env.json")
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := localrt.ReadEnvVars(p)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			for scope, vars := range tc.want {
				for k, v := range vars {
					if got[scope][k] != v {
						t.Errorf("%s.%s = %q, want %q", scope, k, got[scope][k], v)
					}
				}
			}
		})
	}
}

// fakes for EnsureAdminToken: validate says active for one token only;
// revoke records the owner it was asked to re-enable.
func fakeTargets(activeToken, issueAnswer string, issued *atomic.Int32, enabled *[]string) localrt.AdminFunctions {
	validate := lambda.NewHandler(func(in struct {
		Token string `json:"token"`
		Route string `json:"route"`
	}) (map[string]any, error) {
		if in.Route != "GET /whoami" {
			return nil, errors.New("unexpected route " + in.Route)
		}
		if in.Token == activeToken {
			return map[string]any{"active": true}, nil
		}
		return map[string]any{"active": false, "reason": "not_found"}, nil
	})
	issue := lambda.NewHandler(func(in map[string]any) (json.RawMessage, error) {
		issued.Add(1)
		if in["owner"] != "admin" || len(in["scopes"].([]any)) != 3 || !strings.HasPrefix(in["name"].(string), "bootstrap-admin-") {
			return nil, errors.New("unexpected issue request")
		}
		return json.RawMessage(issueAnswer), nil
	})
	revoke := lambda.NewHandler(func(in map[string]string) (map[string]string, error) {
		if in["status"] != "active" || len(in) != 2 {
			return nil, errors.New("unexpected owner status request")
		}
		*enabled = append(*enabled, in["owner"])
		return in, nil
	})
	return localrt.AdminFunctions{
		Validate: localrt.Target{ID: "ValidateFunction", Handler: validate},
		Issue:    localrt.Target{ID: "IssueFunction", Handler: issue},
		Revoke:   localrt.Target{ID: "RevokeFunction", Handler: revoke},
	}
}

func TestEnsureAdminToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		existing    string // "" means no file
		active      string
		issueAnswer string
		wantIssued  bool
		wantToken   string
		wantErr     error
	}{
		{"first run", "", "", `{"id":"i","token":"kmt_new"}`, true, "kmt_new", nil},
		{"still active", "kmt_old\n", "kmt_old", `{"token":"kmt_new"}`, false, "kmt_old", nil},
		{"no longer active", "kmt_old\n", "", `{"token":"kmt_new"}`, true, "kmt_new", nil},
		{"issue answers without token", "", "", `{"statusCode":501}`, false, "", localrt.ErrNoToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "admin-token")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var issued atomic.Int32
			var enabled []string
			fns := fakeTargets(tc.active, tc.issueAnswer, &issued, &enabled)
			got, err := localrt.EnsureAdminToken(context.Background(), fns, path, time.Unix(1700000000, 0))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got != tc.wantIssued {
				t.Errorf("issued = %v, want %v", got, tc.wantIssued)
			}
			if tc.wantErr != nil {
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(b)) != tc.wantToken {
				t.Errorf("file holds %q, want %q", b, tc.wantToken)
			}
			fi, _ := os.Stat(path)
			if tc.wantIssued && fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			if tc.wantIssued != (issued.Load() == 1) {
				t.Errorf("IssueFunction invoked %d times", issued.Load())
			}
			// Whenever it issues, it re-enables the bootstrap owner first.
			if tc.wantIssued != (len(enabled) == 1 && enabled[0] == localrt.BootstrapOwner) {
				t.Errorf("owners re-enabled: %v", enabled)
			}
		})
	}
}

func TestEnsureKeyringCreatesPrivateFileOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "keyring.json")
	for i, want := range []bool{true, false} {
		created, err := localrt.EnsureKeyring(path)
		if err != nil || created != want {
			t.Fatalf("call %d: created=%v err=%v, want %v", i+1, created, err, want)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	var doc struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &doc); err != nil || doc.Keys[doc.Current] == "" {
		t.Errorf("keyring file is not a keyring: %v", err)
	}
}
