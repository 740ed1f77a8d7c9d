// Package validatefn builds ValidateFunction from the App: the wiring
// between shared/app (configuration, AWS clients) and shared/validate,
// which takes only the narrow options it follows. functions/validate and
// the registry use Lambda, so only this function's bootstrap links it.
package validatefn
