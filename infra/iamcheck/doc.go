// Package iamcheck holds the least-privilege test: it runs every function's
// handler against DynamoDB Local through a recording client, maps each call
// to the IAM action (and resource) AWS authorises it by, and compares that
// set with the function's policy in template.yaml. A policy missing an
// action would fail in AWS; one granting an unused action is wider than the
// code needs. Both fail the test.
package iamcheck
