// Package stack reads what the local stack needs from template.yaml: each
// function's environment, build settings and policies, the HTTP APIs'
// routes and their Lambda authorizers, so `make run` and `sam deploy` share
// one source. Resources whose Condition is false with the resolver's
// parameters are left out, as CloudFormation would not create them.
package stack
