// Package awssecret reads the keyring document from the AWSCURRENT version
// of an AWS Secrets Manager secret: the keyring.Source of a deployed
// function that hashes or verifies secrets (issue, regenerate and copy
// hash; validate verifies).
//
// It is a package of its own so that only those functions link the
// Secrets Manager SDK: shared/keyring holds the keyring and its local
// sources and imports no AWS SDK, and a function that never touches the
// pepper (revoke, describe, the sweeper, the console) never imports this
// package (infra/importcheck and infra/templatecheck hold both).
package awssecret
