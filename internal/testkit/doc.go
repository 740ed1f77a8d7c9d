// Package testkit is the one place tests get their fixtures, for shared/
// and infra/ alike (neither's tests import the other's packages for it):
//
//   - a DynamoDB Local endpoint and fresh tables built from template.yaml.
//     Use it from TestMain, `func TestMain(m *testing.M) { testkit.Main(m) }`,
//     and in a test, `client, table := testkit.NewTable(t)`. The endpoint
//     travels in DYNAMODB_ENDPOINT: `make test` starts one DynamoDB Local and
//     exports it for every package, and Main starts a private in-memory one
//     only when it is unset (plain `go test`);
//   - a Secrets Manager endpoint answering GetSecretValue
//     (NewSecretsManager), for the keyring's deployed source;
//   - a complete App on such a table (NewApp): a generated in-memory keyring,
//     the shipped scope catalogue and a manual clock starting at Start.
//
// Every table is the test's own, so tests that use one may run in parallel.
package testkit
