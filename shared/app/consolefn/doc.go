// Package consolefn builds ConsoleFunction from the App: shared/console
// given the deployment's settings it shows. functions/console and the
// registry use Lambda.
package consolefn
