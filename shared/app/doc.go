// Package app builds a function's dependencies once per cold start: config,
// the DynamoDB store, the keyring, the scope catalogue, clock and logger.
// functions/*/main.go and the local stack both call Build with the
// function's constructor (shared/registry lists them), so local runs use
// exactly the wiring Lambda does. Typed adapts typed handlers to
// aws-lambda-go's byte-level interface.
package app
