// Package importcheck holds no code, only the tests of the import rules
// that keep wiring out of keymint's domain packages (imports_test.go) and
// the tree in its layout:
//
//  1. The wiring is shared/app (the App: configuration, AWS clients,
//     Build), its per-function packages shared/app/<name>fn, shared/config
//     and shared/registry. Every other package under shared/ is a domain
//     package, and no domain package imports a wiring package, directly or
//     through another.
//
//  2. No package under shared/ imports anything under infra/, internal/ or
//     functions/: those build on shared/, never the other way.
//
//  3. A domain package imports an AWS SDK service or feature package only
//     if it calls that service itself (store: DynamoDB, keyring/awssecret:
//     Secrets Manager, sweep: EventBridge), and none links the SDK's config
//     loader (github.com/aws/aws-sdk-go-v2/config): loading AWS
//     configuration is the wiring's job.
//
//  4. Nothing imports a package under infra/ (layout_test.go). The tree's
//     rule (docs/architecture.md, "Layout"): shared/ is the
//     product, functions/ its Lambda bootstraps, internal/ the libraries
//     the tooling and tests import (the local stack's emulators, template
//     readers, test fixtures), and infra/ what is run — commands
//     (infra/cmd/*), suites, benchmarks and scripts.
//
//  5. A package's exported errors — ErrX variables and exported types
//     with an Error() string method — are declared in its errors.go
//     (errors_test.go), so a layer's errors are read in one file; their
//     messages start with the package's name where the text is not
//     fixed by a caller (validate's "Unauthorized" is API Gateway's).
//
//  6. A package whose libraries only one function may link is imported
//     only by that function's packages: shared/signin/idtoken (OpenID
//     Connect verification, linking go-oidc and go-jose) by
//     shared/validate and its wiring, never by shared/config, which
//     every function links (shared/signin cannot: idtoken imports it);
//     the Secrets Manager SDK by shared/keyring/awssecret and
//     shared/app/pepper, and pepper by the wiring of the functions that
//     hash or verify secrets (issuefn, validatefn) only.
//
// Test files are outside rules 1–3 and 6: a domain package's tests may build an
// App through internal/testkit. Rule 4 counts them.
package importcheck
