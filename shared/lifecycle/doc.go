// Package lifecycle holds the time rules in one place:
// what status a token shows at a given moment, when DynamoDB may delete it
// (expiresTTL) and when the sweeper must next look at it (the GSI2 deadline).
// Every write path derives these from the same Rules, so they cannot drift.
package lifecycle
