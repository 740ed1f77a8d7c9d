// Package usagekeyfn builds, for the functions that move owners between
// plans (IssueFunction and RevokeFunction), the API Gateway client and the
// owners' API keys (shared/usagekey) that manage moves through its
// UsageKeys port. Only these functions link API Gateway's SDK.
package usagekeyfn
