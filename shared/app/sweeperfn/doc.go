// Package sweeperfn builds SweeperFunction from the App: shared/sweep's
// Sweeper on the App's store, with the notifier the configuration names.
// functions/sweeper and the registry use Lambda.
package sweeperfn
