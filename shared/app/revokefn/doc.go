// Package revokefn wires RevokeFunction: the management service with the
// owners' API keys it moves on a plan change (shared/app/usagekeyfn), which
// DescribeFunction, wired in managefn, neither needs nor links.
package revokefn
