// Package bench holds keymint's whole-system benchmarks: what a Lambda
// deployment costs beyond the code the unit benchmarks measure. Each one
// compares keymint against a floor measured the same way, in the same run:
//
//   - BenchmarkColdStart: process start to first answer of the real
//     ValidateFunction bootstrap vs a minimal aws-lambda-go function, both
//     built for the host with `make build`'s flags and driven through an
//     emulated Lambda Runtime API, with the parts outside keymint's code
//     measured on their own (package initialisation by GODEBUG=inittrace,
//     a fresh process's first GetItem by testdata/firstget);
//   - BenchmarkBootstrapSize: every function built exactly as `make build`
//     does (linux/arm64), bytes per bootstrap;
//   - BenchmarkIssueVsTransactWriteItems: an issue through IssueFunction's
//     handler vs a bare TransactWriteItems of the same shape;
//   - BenchmarkWhoamiLocalAPI: GET /whoami through the local API with 32
//     clients, keymint's authorizer vs a constant-allow one.
//
// Timings are wall-clock medians (p50) of interleaved repetitions, so drift
// on the machine hits both sides alike; "cpu" metrics are process CPU time
// (getrusage, user+system) around each call. internal/benchfmt judges the
// results against the project's targets in BENCHMARKS.md.
//
// The package has no code of its own: it is benchmarks only, run under
// DynamoDB Local by `make bench` (and once each by `make bench-smoke`).
// Helper programs it builds live under testdata/.
package bench
