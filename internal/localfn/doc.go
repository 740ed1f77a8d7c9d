// Package localfn builds each function of template.yaml for the local
// stack through shared/registry, which names for every function the
// constructor its functions/<name>/main.go builds it with: the same
// constructor, with the environment the template gives the function.
package localfn
