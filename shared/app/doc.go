// Package app builds a function's dependencies once per cold start: config,
// the DynamoDB store, the keyring, the scope catalogue, clock and logger.
// functions/*/main.go and the local stack both call New, so local runs use
// exactly the wiring Lambda does.
package app
