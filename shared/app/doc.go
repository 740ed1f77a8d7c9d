// Package app builds a function's dependencies once per cold start: config,
// the DynamoDB store, the keyring, the scope catalogue, clock and logger.
// functions/*/main.go and the local stack both call Build with the
// function's constructor (shared/registry lists them), so local runs use
// exactly the wiring Lambda does. Typed adapts typed handlers to
// aws-lambda-go's byte-level interface.
//
// shared/app and its per-function packages (validatefn, issuefn, managefn,
// sweeperfn, consolefn, and pepper, the keyring of the two that hash or
// verify secrets) are the wiring: the only packages, with
// shared/config and shared/registry, that know the App and the
// configuration. The domain packages they build take narrow options and
// ports and never import them (infra/importcheck holds the rule).
package app
