package benchfmt

import (
	"reflect"
	"strings"
	"testing"
)

// Goals of the rows under test, as they appear in BENCHMARKS.md.
const (
	goalColdStart = "cold start, process start → first validate answer: ≤ a minimal aws-lambda-go function + 3 ms"
	goalBootstrap = "largest bootstrap (linux/arm64, as `make build`) ≤ 12 MiB"
	goalIssue     = "issue through IssueFunction: p50 ≤ 1.20 × a bare TransactWriteItems of the same items"
	goalWhoami    = "GET /whoami, 32 clients: keymint's authorizer ≥ 0.90 × a constant-allow one (≈ the constant-allow stack)"
	goalHTTPv2    = "validate Lambda path, HTTP API v2 event, cached: cpu ≤ 0.5 × a JWT verify, ≤ 8 allocs"
	goalRESTToken = "validate Lambda path, REST TOKEN event, cached: cpu ≤ 0.5 × a JWT verify, ≤ 8 allocs"
	goalCheck     = "validate check, cached: cpu ≤ 0.05 × a JWT verify, 0 allocs"
	goalFirstUse  = "validate, cache miss, first use of a fresh token (its use is written): answer p50 ≤ 1.05 ×, p99 ≤ 1.20 × a bare GetItem"
	goalDue       = "validate, cache miss, lastUsedAt older than the interval (its use is written): answer p50 ≤ 1.05 ×, p99 ≤ 1.20 × a bare GetItem"
	goalRecent    = "validate, cache miss, used moments ago in another container (nothing to write): answer p50 ≤ 1.05 ×, p99 ≤ 1.20 × a bare GetItem"
	goalShare     = "cold start, keymint's own share (beyond the AWS SDK's initialisation and a process's first GetItem): ≤ 1.6 ms"
	goalExtension = "cold start: the post-response extension adds nothing to the first answer (paired with the same build without it: ≤ +0.5 ms)"
	goalCacheHeap = "validate cache, full: heap ≤ its bound, entries ≤ VALIDATE_CACHE_MAX_ENTRIES"
)

// benchOutput wraps result lines in a package's go test output.
func benchOutput(pkg string, lines ...string) string {
	return "goos: linux\ngoarch: amd64\npkg: github.com/keymint/keymint/" + pkg + "\ncpu: AMD EPYC\n" +
		strings.Join(lines, "\n") + "\nPASS\nok  \tgithub.com/keymint/keymint/" + pkg + "\t12.3s\n"
}

const jwt = "BenchmarkJWTReference-2 	  150000	      7900 ns/op	      7800 cpu-ns/op	    3200 B/op	      60 allocs/op"

func TestNewTargets(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want []Target
	}{
		{
			name: "cold start met",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 2.1 extra-ms	 4.0 minimal-ms	 6.1 validate-ms"),
			want: []Target{{goalColdStart, "6.10 ms vs 4.00 ms minimal: +2.1 ms (1.52 ×)", true, ""}},
		},
		{
			name: "cold start not met",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 20.3 extra-ms	 4.3 minimal-ms	 24.6 validate-ms"),
			want: []Target{{goalColdStart, "24.6 ms vs 4.30 ms minimal: +20.3 ms (5.72 ×)", false, ""}},
		},
		{
			name: "cold start without its minimal number is skipped",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 24.6 validate-ms"),
		},
		{
			name: "bootstrap met, the largest named",
			out:  benchOutput("infra/bench", "BenchmarkBootstrapSize-2 	1	 9000000 describe-bytes	 11075746 issue-bytes	 11075746 max-bytes	 9000000 revoke-bytes	 9000000 sweeper-bytes	 11075746 validate-bytes"),
			want: []Target{{goalBootstrap, "10.6 MiB (issue, validate) = 0.88 × 12 MiB", true, ""}},
		},
		{
			name: "bootstrap exactly at the limit is met",
			out:  benchOutput("infra/bench", "BenchmarkBootstrapSize-2 	1	 12582912 max-bytes"),
			want: []Target{{goalBootstrap, "12.0 MiB = 1.00 × 12 MiB", true, ""}},
		},
		{
			name: "bootstrap not met",
			out:  benchOutput("infra/bench", "BenchmarkBootstrapSize-2 	1	 12582913 describe-bytes	 12582913 max-bytes"),
			want: []Target{{goalBootstrap, "12.0 MiB (describe) = 1.00 × 12 MiB", false, ""}},
		},
		{
			name: "issue met",
			out:  benchOutput("infra/bench", "BenchmarkIssueVsTransactWriteItems-2 	1	 1122710 issue-cpu-ns/op	 8882912 issue-p50-ns	 1.060 ratio	 8383742 tx-p50-ns	 60439 B/op	 773 allocs/op"),
			want: []Target{{goalIssue, "8.88 ms = 1.06 × bare (8.38 ms)", true, ""}},
		},
		{
			name: "issue not met",
			out:  benchOutput("infra/bench", "BenchmarkIssueVsTransactWriteItems-2 	1	 12000000 issue-p50-ns	 9000000 tx-p50-ns"),
			want: []Target{{goalIssue, "12.0 ms = 1.33 × bare (9.00 ms)", false, ""}},
		},
		{
			name: "whoami met",
			out:  benchOutput("infra/bench", "BenchmarkWhoamiLocalAPI-2 	1	 1520 keymint-rps	 1600 allow-rps	 0.95 ratio"),
			want: []Target{{goalWhoami, "1520 req/s = 0.95 × constant-allow (1600 req/s)", true, ""}},
		},
		{
			name: "whoami not met",
			out:  benchOutput("infra/bench", "BenchmarkWhoamiLocalAPI-2 	1	 1000 keymint-rps	 1600 allow-rps	 0.625 ratio"),
			want: []Target{{goalWhoami, "1000 req/s = 0.62 × constant-allow (1600 req/s)", false, ""}},
		},
		{
			name: "Lambda paths met",
			out: benchOutput("shared/validate", jwt,
				"BenchmarkLambdaPath/http-v2-hit-2 	 400000	 3000 ns/op	 2900 cpu-ns/op	 400 B/op	 6 allocs/op",
				"BenchmarkLambdaPath/rest-token-hit-2 	 400000	 3000 ns/op	 3900 cpu-ns/op	 400 B/op	 8 allocs/op"),
			want: []Target{
				{goalHTTPv2, "2.90 µs = 0.37 × JWT (7.80 µs), 6 allocs", true, ""},
				{goalRESTToken, "3.90 µs = 0.50 × JWT (7.80 µs), 8 allocs", true, ""},
			},
		},
		{
			name: "Lambda paths not met: too slow, too many allocs",
			out: benchOutput("shared/validate", jwt,
				"BenchmarkLambdaPath/http-v2-hit-2 	 400000	 3000 ns/op	 4000 cpu-ns/op	 400 B/op	 6 allocs/op",
				"BenchmarkLambdaPath/rest-token-hit-2 	 400000	 3000 ns/op	 2000 cpu-ns/op	 400 B/op	 9 allocs/op"),
			want: []Target{
				{goalHTTPv2, "4.00 µs = 0.51 × JWT (7.80 µs), 6 allocs", false, ""},
				{goalRESTToken, "2.00 µs = 0.26 × JWT (7.80 µs), 9 allocs", false, ""},
			},
		},
		{
			name: "Lambda path without the JWT reference is skipped",
			out:  benchOutput("shared/validate", "BenchmarkLambdaPath/http-v2-hit-2 	 400000	 3000 ns/op	 2900 cpu-ns/op	 400 B/op	 6 allocs/op"),
		},
		{
			name: "Lambda path without allocs (no -benchmem) is skipped",
			out:  benchOutput("shared/validate", jwt, "BenchmarkLambdaPath/http-v2-hit-2 	 400000	 3000 ns/op	 2900 cpu-ns/op"),
		},
		{
			name: "check met, GOMAXPROCS=1 names",
			out: benchOutput("shared/validate",
				"BenchmarkJWTReference 	  150000	      7900 ns/op	      8000 cpu-ns/op",
				"BenchmarkCheck/hit 	 9000000	 120 ns/op	 400 cpu-ns/op	 0 B/op	 0 allocs/op"),
			want: []Target{{goalCheck, "400 ns = 0.050 × JWT (8.00 µs), 0 allocs", true, ""}},
		},
		{
			name: "check not met: one alloc",
			out:  benchOutput("shared/validate", jwt, "BenchmarkCheck/hit-2 	 9000000	 120 ns/op	 110 cpu-ns/op	 16 B/op	 1 allocs/op"),
			want: []Target{{goalCheck, "110 ns = 0.014 × JWT (7.80 µs), 1 allocs", false, ""}},
		},
		{
			name: "check not met: too slow",
			out:  benchOutput("shared/validate", jwt, "BenchmarkCheck/hit-2 	 9000000	 120 ns/op	 400 cpu-ns/op	 0 B/op	 0 allocs/op"),
			want: []Target{{goalCheck, "400 ns = 0.051 × JWT (7.80 µs), 0 allocs", false, ""}},
		},
		{
			name: "a longer name is not the benchmark",
			out:  benchOutput("shared/validate", jwt, "BenchmarkCheck/hit-miss-2 	 9000000	 120 ns/op	 110 cpu-ns/op	 0 B/op	 0 allocs/op"),
		},
		{
			name: "first use met",
			out:  benchOutput("shared/validate", "BenchmarkMiss/first-use-2 	 1000	 1220000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns"),
			want: []Target{{goalFirstUse, "p50 1.22 ms = 1.04 × GetItem (1.17 ms); p99 2.00 ms = 1.05 × (1.90 ms)", true, ""}},
		},
		{
			name: "usage due not met at p50",
			out:  benchOutput("shared/validate", "BenchmarkMiss/usage-due-2 	 1000	 1300000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns"),
			want: []Target{{goalDue, "p50 1.30 ms = 1.11 × GetItem (1.17 ms); p99 2.00 ms = 1.05 × (1.90 ms)", false, ""}},
		},
		{
			name: "recently used not met at p99",
			out:  benchOutput("shared/validate", "BenchmarkMiss/recently-used-2 	 1000	 1170000 answer-p50-ns	 2300000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns"),
			want: []Target{{goalRecent, "p50 1.17 ms = 1.00 × GetItem (1.17 ms); p99 2.30 ms = 1.21 × (1.90 ms)", false, ""}},
		},
		{
			name: "a missed miss is compared with the direct path of the same run",
			out: benchOutput("shared/validate",
				"BenchmarkMiss/recently-used-2 	 1000	 1300000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns",
				"BenchmarkMiss/recently-used-direct-2 	 1000	 1287000 answer-p50-ns	 1900000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns"),
			want: []Target{{goalRecent, "p50 1.30 ms = 1.11 × GetItem (1.17 ms); p99 2.00 ms = 1.05 × (1.90 ms)", false,
				"In the same run, validate without the post-response extension (the handler called directly, no Extensions API, as before it) " +
					"answers a miss in 1.10 × a bare GetItem at p50 and 1.00 × at p99 (Miss/recently-used-direct): the part over the GetItem is " +
					"validate's own reading and deciding, which the extension does not change."}},
		},
		{
			name: "a miss without its p99 is skipped",
			out:  benchOutput("shared/validate", "BenchmarkMiss/first-use-2 	 1000	 1230000 answer-p50-ns	 1170000 getitem-p50-ns"),
		},
		{
			name: "extension met: no slower than without it, registration overlapped",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 13.1 validate-ms	 4.5 minimal-ms	 13.3 noextension-ms	 -0.2 extension-adds-ms	 1.7 register-ms	 0.3 register-wait-ms"),
			want: []Target{{goalColdStart, "13.1 ms vs 4.50 ms minimal: +8.6 ms (2.91 ×)", false, ""},
				{goalExtension, "-0.20 ms paired (13.1 ms vs 13.3 ms without it); registering took 1.70 ms, Init waited 300 µs of it", true, ""}},
		},
		{
			name: "extension not met: the first answer is slower with it",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 13.1 validate-ms	 4.5 minimal-ms	 13.3 noextension-ms	 0.8 extension-adds-ms	 1.7 register-ms	 0.3 register-wait-ms"),
			want: []Target{{goalColdStart, "13.1 ms vs 4.50 ms minimal: +8.6 ms (2.91 ×)", false, ""},
				{goalExtension, "+0.80 ms paired (13.1 ms vs 13.3 ms without it); registering took 1.70 ms, Init waited 300 µs of it", false, ""}},
		},
		{
			name: "extension met though Init waits for part of the registration: the answer is what is judged",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 13.1 validate-ms	 4.5 minimal-ms	 13.3 noextension-ms	 -0.2 extension-adds-ms	 1.7 register-ms	 1.6 register-wait-ms"),
			want: []Target{{goalColdStart, "13.1 ms vs 4.50 ms minimal: +8.6 ms (2.91 ×)", false, ""},
				{goalExtension, "-0.20 ms paired (13.1 ms vs 13.3 ms without it); registering took 1.70 ms, Init waited 1.60 ms of it", true, ""}},
		},
		{
			name: "cold start share met",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 13.1 validate-ms	 4.5 minimal-ms	 2.5 sdk-pkginit-ms	 4.5 first-getitem-ms"),
			want: []Target{{goalColdStart, "13.1 ms vs 4.50 ms minimal: +8.6 ms (2.91 ×)", false, ""}, {goalShare, "1.6 ms", true, ""}},
		},
		{
			name: "cold start share counts the SDK's configuration loading as the SDK's",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 15.1 validate-ms	 4.5 minimal-ms	 2.5 sdk-pkginit-ms	 2.0 sdk-config-ms	 4.5 first-getitem-ms"),
			want: []Target{{goalColdStart, "15.1 ms vs 4.50 ms minimal: +10.6 ms (3.36 ×)", false, ""}, {goalShare, "1.6 ms", true, ""}},
		},
		{
			name: "a missed cold start says where its time went",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 15.1 validate-ms	 4.5 minimal-ms	 6.0 validate-pkginit-ms	 3.0 minimal-pkginit-ms	 2.5 sdk-pkginit-ms	 1.0 dynamodb-pkginit-ms	 2.0 sdk-config-ms	 4.5 first-getitem-ms	 1.5 second-getitem-ms"),
			want: []Target{{goalColdStart, "15.1 ms vs 4.50 ms minimal: +10.6 ms (3.36 ×)", false,
				"Of the +10.6 ms, package initialisation is +3.0 ms over the minimal function's (GODEBUG=inittrace=1), 2.5 ms of it the AWS SDK's " +
					"(1.0 ms DynamoDB's, which validate cannot do without); loading the SDK's configuration with its client takes 2.0 ms; a process's first " +
					"GetItem takes 4.5 ms, the next on the same connection 1.5 ms. The SDK's initialisation and that one read are 9.0 ms, so the goal " +
					"cannot be met with the SDK and a table read on the first request; keymint's own share is the remaining 1.6 ms."},
				{goalShare, "1.6 ms", true, ""}},
		},
		{
			name: "cold start share not met",
			out:  benchOutput("infra/bench", "BenchmarkColdStart-2 	1	 14.1 validate-ms	 4.5 minimal-ms	 2.5 sdk-pkginit-ms	 4.5 first-getitem-ms"),
			want: []Target{{goalColdStart, "14.1 ms vs 4.50 ms minimal: +9.6 ms (3.13 ×)", false, ""}, {goalShare, "2.6 ms", false, ""}},
		},
		{
			name: "cache heap met",
			out:  benchOutput("shared/validate", "BenchmarkCacheHeap-2 	 1	 3250585 heap-bytes	 4194304 bound-bytes	 10000 entries	 10000 max-entries"),
			want: []Target{{goalCacheHeap, "3.1 MiB of 4.0 MiB bound, 10000 of 10000 entries", true, ""}},
		},
		{
			name: "cache heap not met: over its bound",
			out:  benchOutput("shared/validate", "BenchmarkCacheHeap-2 	 1	 5000000 heap-bytes	 4194304 bound-bytes	 10000 entries	 10000 max-entries"),
			want: []Target{{goalCacheHeap, "4.8 MiB of 4.0 MiB bound, 10000 of 10000 entries", false, ""}},
		},
		{
			name: "cache heap not met: too many entries",
			out:  benchOutput("shared/validate", "BenchmarkCacheHeap-2 	 1	 3250585 heap-bytes	 4194304 bound-bytes	 10001 entries	 10000 max-entries"),
			want: []Target{{goalCacheHeap, "3.1 MiB of 4.0 MiB bound, 10001 of 10000 entries", false, ""}},
		},
		{
			name: "cache heap without max-entries is skipped",
			out:  benchOutput("shared/validate", "BenchmarkCacheHeap-2 	 1	 3250585 heap-bytes	 4194304 bound-bytes	 10001 entries"),
		},
		{
			name: "the same benchmark in another package does not count",
			out:  benchOutput("shared/store", "BenchmarkMiss/first-use-2 	 1000	 1220000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns"),
		},
		{
			name: "numbers printed after the benchmark's own output",
			out: benchOutput("infra/bench",
				"BenchmarkWhoamiLocalAPI-2   \t{\"level\":\"INFO\",\"msg\":\"request\"}",
				"{\"level\":\"INFO\",\"msg\":\"request\"}",
				"       1\t  1000 keymint-rps\t  1600 allow-rps"),
			want: []Target{{goalWhoami, "1000 req/s = 0.62 × constant-allow (1600 req/s)", false, ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Parse(strings.NewReader(tc.out))
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Targets(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("targets:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Every row of the whole set can be judged at once, in a fixed order:
// unit goals, then validate's, then the system's.
func TestAllNewTargetsTogether(t *testing.T) {
	out := benchOutput("shared/validate", jwt,
		"BenchmarkLambdaPath/http-v2-hit-2 	 400000	 3000 ns/op	 2900 cpu-ns/op	 400 B/op	 6 allocs/op",
		"BenchmarkLambdaPath/rest-token-hit-2 	 400000	 3000 ns/op	 2900 cpu-ns/op	 400 B/op	 6 allocs/op",
		"BenchmarkCheck/hit-2 	 9000000	 120 ns/op	 110 cpu-ns/op	 0 B/op	 0 allocs/op",
		"BenchmarkMiss/first-use-2 	 1000	 1220000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns",
		"BenchmarkMiss/usage-due-2 	 1000	 1220000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns",
		"BenchmarkMiss/recently-used-2 	 1000	 1220000 answer-p50-ns	 2000000 answer-p99-ns	 1170000 getitem-p50-ns	 1900000 getitem-p99-ns",
		"BenchmarkCacheHeap-2 	 1	 3250585 heap-bytes	 4194304 bound-bytes	 10000 entries	 10000 max-entries",
	) + benchOutput("infra/bench",
		"BenchmarkColdStart-2 	1	 6.1 validate-ms	 4.0 minimal-ms",
		"BenchmarkBootstrapSize-2 	1	 11075746 max-bytes",
		"BenchmarkIssueVsTransactWriteItems-2 	1	 8882912 issue-p50-ns	 8383742 tx-p50-ns",
		"BenchmarkWhoamiLocalAPI-2 	1	 1520 keymint-rps	 1600 allow-rps",
	)
	rep, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var goals []string
	for _, tg := range rep.Targets() {
		goals = append(goals, tg.Goal)
		if !tg.Met {
			t.Errorf("%s: not met (%s)", tg.Goal, tg.Measured)
		}
	}
	want := []string{goalHTTPv2, goalRESTToken, goalCheck, goalFirstUse, goalDue, goalRecent, goalCacheHeap, goalColdStart, goalBootstrap, goalIssue, goalWhoami}
	if !reflect.DeepEqual(goals, want) {
		t.Errorf("goals:\n got %q\nwant %q", goals, want)
	}
	md := rep.Markdown(Meta{})
	for _, row := range []string{
		"| " + goalIssue + " | 8.88 ms = 1.06 × bare (8.38 ms) | yes |",
		"| " + goalCheck + " | 110 ns = 0.014 × JWT (7.80 µs), 0 allocs | yes |",
	} {
		if !strings.Contains(md, row) {
			t.Errorf("markdown lacks %q", row)
		}
	}
}

func TestNanos(t *testing.T) {
	for ns, want := range map[float64]string{
		0: "0 ns", 850: "850 ns", 999.6: "1.00 µs", 2930: "2.93 µs", 24_600_000: "24.6 ms",
		999_700: "1.00 ms", 123_456_789: "123 ms", 1.2e9: "1.20 s",
	} {
		if got := nanos(ns); got != want {
			t.Errorf("nanos(%v) = %q, want %q", ns, got, want)
		}
	}
}
