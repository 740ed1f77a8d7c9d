// Package managefn builds RevokeFunction and DescribeFunction from the
// App: shared/api's handlers on shared/manage's Service, neither of which
// knows the App or the configuration. functions/revoke and describe and
// the registry use its constructors; IssueFunction, the one management
// function that hashes secrets, is shared/app/issuefn's, built on Options
// and DepsOn from here.
package managefn
