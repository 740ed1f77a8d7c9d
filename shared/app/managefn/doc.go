// Package managefn builds the management functions (IssueFunction,
// RevokeFunction, DescribeFunction) from the App: shared/api's handlers
// on shared/manage's Service, neither of which knows the App or the
// configuration. functions/issue, revoke and describe and the registry use
// its constructors.
package managefn
