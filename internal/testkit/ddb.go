package testkit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/tabledef"
)

// EnvEndpoint names the variable holding the endpoint.
const EnvEndpoint = "DYNAMODB_ENDPOINT"

// Main runs the package's tests against DynamoDB Local and exits with their
// status. It is meant to be the whole body of TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

// MainLocalAWS is Main for packages that build Apps with app.New, which
// reads AWS settings from the process environment as on Lambda: it sets a
// local stack's (us-east-1, placeholder credentials, no instance metadata,
// no profile) so nothing reaches a real account.
func MainLocalAWS(m *testing.M) {
	for k, v := range map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	Main(m)
}

func run(m *testing.M) int {
	if ep := Endpoint(); ep != "" {
		// Fail once, clearly, rather than in every test with a dial error.
		if !ddblocal.Reachable(context.Background(), ep) {
			fmt.Fprintf(os.Stderr, "testkit: %s=%s does not answer; unset it to let the tests start DynamoDB Local\n", EnvEndpoint, ep)
			return 2
		}
		return m.Run()
	}
	root, err := RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		return 2
	}
	// Relative to the repository, not to the package directory the test
	// runs in, so every package shares one DynamoDB Local install.
	localDir := os.Getenv("LOCAL_DIR")
	if localDir == "" {
		localDir = ".local"
	}
	if !filepath.IsAbs(localDir) {
		localDir = filepath.Join(root, localDir)
	}
	srv, err := ddblocal.Start(context.Background(), ddblocal.Options{LocalDir: localDir, InMemory: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		return 2
	}
	// The environment, not a package variable, carries the endpoint to
	// NewTable and to any process a test starts.
	os.Setenv(EnvEndpoint, srv.Endpoint())
	code := m.Run()
	if err := srv.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
	}
	return code
}

// Endpoint is the DynamoDB endpoint tests use, or "" outside Main.
func Endpoint() string { return os.Getenv(EnvEndpoint) }

// Client returns a client for the test endpoint (dummy credentials,
// us-east-1). It fails the test when there is no endpoint.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	ep := Endpoint()
	if ep == "" {
		t.Fatalf("testkit: %s is not set; call Main(m) from TestMain or run under `make test`", EnvEndpoint)
	}
	return ddblocal.NewClient(ep)
}

// NewTable creates a uniquely named table from template.yaml's TokenTable
// (both GSIs, TTL enabled) and deletes it when the test ends.
func NewTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	client := Client(t)
	def, err := Def()
	if err != nil {
		t.Fatal(err)
	}
	name := TableName(t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tabledef.Ensure(ctx, client, name, def); err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("testkit: delete table %s: %v", name, err)
		}
	})
	return client, name
}

// Def is the table definition read from the repository's template.yaml.
func Def() (tabledef.Def, error) {
	root, err := RepoRoot()
	if err != nil {
		return tabledef.Def{}, err
	}
	return tabledef.FromTemplate(filepath.Join(root, "template.yaml"))
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// TableName derives a valid, unique table name (3-255 of [A-Za-z0-9_.-])
// from a test name, so a leftover table says which test made it.
func TableName(testName string) string {
	base := unsafeChars.ReplaceAllString(testName, "_")
	if len(base) > 200 {
		base = base[:200]
	}
	return fmt.Sprintf("t_%s_%s", base, rand.Text()[:10])
}

// ErrNoRepoRoot means no go.mod was found above the working directory.
var ErrNoRepoRoot = errors.New("testkit: no go.mod above the working directory")

// RepoRoot walks up from the working directory to the directory holding
// go.mod; tests run in their package's directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoRepoRoot
		}
		dir = parent
	}
}
