package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// lambdaBuild is `make build`'s compile command: the LAMBDA_BUILD and
// FUNCTIONS variables of the Makefile, read through make itself so the
// benchmarks build exactly what ships.
type lambdaBuild struct {
	env       []string // NAME=value words before the go command
	flags     []string // the words after `go build`
	functions []string // functions/<name> packages
	source    string   // where it came from, for the log
}

// fallbackBuild is used only when make cannot be asked (not installed);
// it repeats the Makefile as of this writing.
var fallbackBuild = lambdaBuild{
	env:       []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"},
	flags:     []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"},
	functions: []string{"issue", "validate", "revoke", "describe", "sweeper"},
	source:    "built-in copy of the Makefile's LAMBDA_BUILD (make not found)",
}

var (
	buildOnce sync.Once
	buildDef  lambdaBuild
	buildErr  error
)

// makefileBuild reads LAMBDA_BUILD and FUNCTIONS from the repository's
// Makefile, once per process.
func makefileBuild(tb testing.TB) lambdaBuild {
	tb.Helper()
	buildOnce.Do(func() { buildDef, buildErr = readMakefileBuild() })
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return buildDef
}

func readMakefileBuild() (lambdaBuild, error) {
	root, err := testkit.RepoRoot()
	if err != nil {
		return lambdaBuild{}, err
	}
	mk, err := exec.LookPath("make")
	if err != nil {
		return fallbackBuild, nil
	}
	// $(info) in a recipe expands after the whole Makefile is read, with
	// every variable as make itself would use it.
	cmd := exec.Command(mk, "-s", "--no-print-directory", "-f", "Makefile",
		"--eval", "bench-print-build: ; $(info LAMBDA_BUILD=$(LAMBDA_BUILD))$(info FUNCTIONS=$(FUNCTIONS))@:",
		"bench-print-build")
	cmd.Dir = root
	// Not the jobserver of a `make bench` we may be running under.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		for _, p := range []string{"MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES="} {
			if strings.HasPrefix(kv, p) {
				return true
			}
		}
		return false
	})
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return lambdaBuild{}, fmt.Errorf("make: reading LAMBDA_BUILD: %v\n%s", err, stderr.String())
	}
	return parseMakeVars(string(out))
}

// parseMakeVars reads the two lines bench-print-build prints.
func parseMakeVars(out string) (lambdaBuild, error) {
	lb := lambdaBuild{source: "Makefile LAMBDA_BUILD"}
	var cmdLine string
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "LAMBDA_BUILD="); ok {
			cmdLine = v
		}
		if v, ok := strings.CutPrefix(line, "FUNCTIONS="); ok {
			lb.functions = strings.Fields(v)
		}
	}
	words, err := shellWords(cmdLine)
	if err != nil {
		return lambdaBuild{}, fmt.Errorf("LAMBDA_BUILD %q: %w", cmdLine, err)
	}
	i := slices.Index(words, "build")
	if i < 1 {
		return lambdaBuild{}, fmt.Errorf("LAMBDA_BUILD %q is not `[VAR=value...] go build [flags]`", cmdLine)
	}
	for _, w := range words[:i-1] {
		if !strings.Contains(w, "=") {
			return lambdaBuild{}, fmt.Errorf("LAMBDA_BUILD %q: %q before the go command is not VAR=value", cmdLine, w)
		}
		lb.env = append(lb.env, w)
	}
	lb.flags = words[i+1:]
	if len(lb.functions) == 0 {
		return lambdaBuild{}, errors.New("Makefile FUNCTIONS is empty")
	}
	return lb, nil
}

// shellWords splits s as a POSIX shell would a simple command line: blanks
// separate words, quotes group and are removed.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c", c)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// build compiles pkgs (paths relative to the repository root) into dir,
// one executable per package named after its directory, with LAMBDA_BUILD's
// environment and flags. goos and goarch, when set, replace the Makefile's
// target (linux/arm64) and nothing else.
func (lb lambdaBuild) build(tb testing.TB, goos, goarch, dir string, pkgs ...string) {
	tb.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Fatal(err)
	}
	env := append(os.Environ(), lb.env...)
	if goos != "" {
		env = append(env, "GOOS="+goos, "GOARCH="+goarch)
	}
	args := append([]string{"build"}, lb.flags...)
	args = append(args, "-o", dir+string(filepath.Separator))
	args = append(args, pkgs...)
	cmd := exec.Command(gobin, args...)
	cmd.Dir = root
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// BenchmarkBootstrapSize builds every function as `make build` does
// (linux/arm64, CGO_ENABLED=0, -tags lambda.norpc, -trimpath, stripped)
// into a temporary directory and reports each bootstrap's size: the
// deployment package Lambda loads on a cold start. ns/op (build time, all
// cache) is not reported.
func BenchmarkBootstrapSize(b *testing.B) {
	lb := makefileBuild(b)
	b.Logf("build: %s %s (%s)", strings.Join(lb.env, " "), strings.Join(lb.flags, " "), lb.source)
	pkgs := make([]string, len(lb.functions))
	for i, f := range lb.functions {
		pkgs[i] = "./functions/" + f
	}
	sizes := map[string]int64{}
	for b.Loop() {
		dir := b.TempDir()
		lb.build(b, "", "", dir, pkgs...)
		for _, f := range lb.functions {
			st, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				b.Fatal(err)
			}
			sizes[f] = st.Size()
		}
	}
	var largest int64
	for _, f := range lb.functions {
		b.ReportMetric(float64(sizes[f]), f+"-bytes")
		largest = max(largest, sizes[f])
	}
	b.ReportMetric(float64(largest), "max-bytes")
	b.ReportMetric(0, "ns/op")
}
