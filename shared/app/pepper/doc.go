// Package pepper gives the functions that hash or verify token secrets
// their keyring: IssueFunction (issue, regenerate and copy hash a new
// secret) and ValidateFunction (verifies one). On AWS the keyring is the
// Secrets Manager secret KEYRING_SECRET_ARN names (shared/keyring/awssecret);
// elsewhere it is the App's own, read from a file or handed in by a test.
//
// It is the only wiring package that imports the Secrets Manager SDK, and
// only those two functions' wiring imports it: RevokeFunction,
// DescribeFunction, SweeperFunction and ConsoleFunction never touch the
// pepper, so they neither link the SDK nor need secretsmanager:GetSecretValue
// (infra/importcheck and infra/templatecheck hold the rule).
package pepper
