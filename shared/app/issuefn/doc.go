// Package issuefn builds IssueFunction from the App: shared/api's Issue
// handlers on a management Service whose keyring is pepper's, since
// issue, regenerate and copy hash new secrets. It is apart from managefn,
// which builds RevokeFunction and DescribeFunction, so that those two do
// not link the Secrets Manager SDK.
package issuefn
