package benchfmt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/keymint/keymint/shared/token
cpu: AMD EPYC 7B13
BenchmarkParse-2   	 5000000	       230.5 ns/op	      48 B/op	       1 allocs/op
BenchmarkNew-2     	  200000	      6000 ns/op	     128 B/op	       3 allocs/op	  12.50 MB/s
PASS
ok  	github.com/keymint/keymint/shared/token	3.1s
some log line that is not a benchmark
goos: linux
goarch: amd64
pkg: github.com/keymint/keymint/shared/store
cpu: AMD EPYC 7B13
BenchmarkGet-2   	    1000	   1200000 ns/op
--- FAIL: BenchmarkPut-2
FAIL
FAIL	github.com/keymint/keymint/shared/store	2.0s
?   	github.com/keymint/keymint/shared/doc	[no test files]
`

func TestParse(t *testing.T) {
	rep, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if rep.GOOS != "linux" || rep.GOARCH != "amd64" || rep.CPU != "AMD EPYC 7B13" {
		t.Errorf("machine = %q %q %q", rep.GOOS, rep.GOARCH, rep.CPU)
	}
	if len(rep.Packages) != 2 {
		t.Fatalf("%d packages, want 2", len(rep.Packages))
	}
	tests := []struct {
		pkg     int
		name    string
		iters   int64
		metrics int
		failed  bool
	}{
		{0, "Parse-2", 5000000, 3, false},
		{0, "New-2", 200000, 4, false},
		{1, "Get-2", 1000, 1, true},
	}
	idx := map[int]int{}
	for _, tc := range tests {
		p := rep.Packages[tc.pkg]
		r := p.Results[idx[tc.pkg]]
		idx[tc.pkg]++
		if r.Name != tc.name || r.Iterations != tc.iters || len(r.Metrics) != tc.metrics || p.Failed != tc.failed {
			t.Errorf("got %s %d %d metrics failed=%v; want %s %d %d failed=%v",
				r.Name, r.Iterations, len(r.Metrics), p.Failed, tc.name, tc.iters, tc.metrics, tc.failed)
		}
	}
}

func TestMarkdown(t *testing.T) {
	rep, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown(Meta{Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), GoVersion: "go1.26.8", NumCPU: 2, Command: "make bench"})
	for _, want := range []string{
		"- date: 2026-01-02 03:04 UTC",
		"- go: go1.26.8 linux/amd64",
		"AMD EPYC 7B13 (2 logical cores)",
		"- time: CPU time per call (getrusage, user+system) where a row says cpu; wall-clock medians of interleaved repetitions elsewhere",
		"## github.com/keymint/keymint/shared/token",
		"| Parse-2 | 5000000 | 230.5 | 48 | 1 |  |",
		"| New-2 | 200000 | 6000 | 128 | 3 | 12.5 MB/s |",
		"| Get-2 | 1000 | 1200000 | - | - |  |",
		"**FAILED**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "shared/doc") {
		t.Error("package without benchmarks listed")
	}
}

func TestMarkdownWithoutBenchmarks(t *testing.T) {
	rep, _ := Parse(strings.NewReader("?   \tx\t[no test files]\n"))
	if md := rep.Markdown(Meta{}); !strings.Contains(md, "No benchmarks ran.") {
		t.Errorf("markdown = %s", md)
	}
}

func TestTargets(t *testing.T) {
	out := `pkg: github.com/keymint/keymint/shared/sweep
BenchmarkSweepScale/10k-2 	1	5000000000 ns/op	500 due/op	600 items/op
BenchmarkSweepScale/100k-2 	1	8000000000 ns/op	500 due/op	1200 items/op
ok  	github.com/keymint/keymint/shared/sweep	60s
pkg: github.com/keymint/keymint/shared/token
BenchmarkParse-2 	100	300 ns/op	0 B/op	0 allocs/op
ok  	github.com/keymint/keymint/shared/token	1s
`
	rep, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	met := map[string]bool{}
	for _, tg := range rep.Targets() {
		met[tg.Goal] = tg.Met
	}
	want := map[string]bool{
		"sweeper reads ≤ 2 × due items (10k tokens)":                 true,
		"sweeper reads ≤ 2 × due items (100k tokens)":                false,
		"sweep of a 100k table ≤ 1.5 × the 10k sweep (same 500 due)": false,
		"token parse allocates nothing":                              true,
	}
	if len(met) != len(want) {
		t.Fatalf("targets %v", met)
	}
	for g, w := range want {
		if met[g] != w {
			t.Errorf("%s: met=%v, want %v", g, met[g], w)
		}
	}
}

// go test prints a benchmark's name before running it, so output of the
// benchmark itself can split the name from its numbers.
func TestParseSplitResult(t *testing.T) {
	out := `pkg: example.com/p
BenchmarkA-2   	{"level":"INFO","msg":"child"}
{"level":"INFO","msg":"child"}
       1	        24.6 validate-ms	         4.3 minimal-ms
BenchmarkB-2   	panic: boom
--- FAIL: BenchmarkB-2
       1	        1 x-ms	  2 y-ms
BenchmarkC-2   	       3	       100 ns/op
FAIL
FAIL	example.com/p	1.0s
`
	rep, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Packages[0]
	var names []string
	for _, r := range p.Results {
		names = append(names, fmt.Sprintf("%s %d %v", r.Name, r.Iterations, r.Metrics))
	}
	want := []string{"A-2 1 [{24.6 validate-ms} {4.3 minimal-ms}]", "C-2 3 [{100 ns/op}]"}
	if !slices.Equal(names, want) || !p.Failed {
		t.Errorf("results %q failed=%v, want %q failed", names, p.Failed, want)
	}
}

// A package whose first benchmark fails prints "--- FAIL" before its own
// "pkg:" line; the failure is not the previous package's.
func TestParseFailureBeforeHeader(t *testing.T) {
	out := `pkg: example.com/a
BenchmarkA-2   	       3	       100 ns/op
PASS
ok  	example.com/a	0.1s
--- FAIL: BenchmarkB
    b_test.go:45: broken
pkg: example.com/b
BenchmarkC-2   	       3	       100 ns/op
FAIL
exit status 1
FAIL	example.com/b	0.3s
`
	rep, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Packages) != 2 || rep.Packages[0].Failed || !rep.Packages[1].Failed || len(rep.Packages[1].Results) != 1 {
		for _, p := range rep.Packages {
			t.Logf("%s failed=%v results=%v", p.Path, p.Failed, p.Results)
		}
		t.Error("want example.com/a passed, example.com/b failed with one result")
	}
}
