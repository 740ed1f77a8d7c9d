package testkit

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/localport"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/token"
)

// Start is the manual clock's starting time in every test: noon on the
// first of January two years after the real clock's year, so never less
// than a year ahead of it. DynamoDB Local deletes items whose TTL
// attribute is past by the real clock, as DynamoDB does
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html);
// a fixed date would fall behind the real one, and then a token's or a
// revoked item's TTL, counted from the test clock, would lapse and the
// item vanish mid-test. It moves once a year; tests count from it, never
// from a written date.
var Start = time.Date(time.Now().UTC().Year()+2, 1, 1, 12, 0, 0, 0, time.UTC)

// Env is the environment a test App is built from; tests override entries.
type Env map[string]string

// App is a test App with the handles tests need.
type App struct {
	*app.App
	DB    *dynamodb.Client
	Table string
	Clock *clock.Manual
	// KeyringJSON is the keyring the App hashes with, so a test can build a
	// second App (say, on a wrapped client) that accepts the same tokens.
	KeyringJSON []byte
}

// New builds an App on a fresh table. env entries override the defaults
// (TABLE_NAME is always the fresh table).
func NewApp(t testing.TB, env Env) *App {
	t.Helper()
	return NewLoggingApp(t, env, nil)
}

// NewLogging is New with the App's log written to w (nil: discarded, or
// the test log under -v), so tests can inspect what would reach CloudWatch.
func NewLoggingApp(t testing.TB, env Env, w io.Writer) *App {
	t.Helper()
	db, table := NewTable(t)
	vars := map[string]string{"LAST_USED_INTERVAL": "300", "VALIDATE_CACHE_TTL": "2s"}
	for k, v := range env {
		vars[k] = v
	}
	vars["TABLE_NAME"] = table
	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("testkit: config: %v", err)
	}
	raw, err := keyring.NewKeyringJSON("k1")
	if err != nil {
		t.Fatalf("testkit: keyring: %v", err)
	}
	clk := clock.NewManual(Start)
	switch {
	case w != nil:
	case testing.Verbose():
		w = testWriter{t}
	default:
		w = io.Discard
	}
	// Tests log everything unless they ask for Lambda's level, as
	// benchmarks do: AWS_LAMBDA_LOG_LEVEL, which Lambda's own handler reads.
	level := slog.LevelDebug
	if v := vars["AWS_LAMBDA_LOG_LEVEL"]; v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			t.Fatalf("testkit: AWS_LAMBDA_LOG_LEVEL: %v", err)
		}
	}
	log := slog.New(token.Masking(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
	// Static credentials, as the local stack's: clients other than the
	// table's (API Gateway's, against internal/localgw) sign with them.
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	a, err := app.Assemble(cfg, awsCfg, db, keyring.StaticSource(raw), clk, log)
	if err != nil {
		t.Fatalf("testkit: assemble: %v", err)
	}
	return &App{App: a, DB: db, Table: table, Clock: clk, KeyringJSON: raw}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// Service is the management Service on the test App.
func (a *App) Service() *manage.Service { return managefn.Service(a.App) }

// FreePort is a port nothing on 127.0.0.1 listens on just now.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := localport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return port
}
