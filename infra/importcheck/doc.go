// Package importcheck holds no code, only the test of the import rules
// that keep wiring out of keymint's domain packages (imports_test.go):
//
//  1. The wiring is shared/app (the App: configuration, AWS clients,
//     Build), its per-function packages shared/app/<name>fn, shared/config
//     and shared/registry. Every other package under shared/ is a domain
//     package, and no domain package imports a wiring package, directly or
//     through another.
//  2. No package under shared/ imports anything under infra/, internal/ or
//     functions/: those build on shared/, never the other way.
//  3. A domain package imports an AWS SDK service or feature package only
//     if it calls that service itself (store: DynamoDB, keyring: Secrets
//     Manager, sweep: EventBridge), and none links the SDK's config
//     loader (github.com/aws/aws-sdk-go-v2/config): loading AWS
//     configuration is the wiring's job.
//
// Test files are outside the rules: a domain package's tests may build an
// App through internal/testkit.
package importcheck
