// Package localfn builds each function of template.yaml for the local
// stack through the registry, the one functions/<name>/main.go use: the
// same constructor, with the environment the template gives the function.
package localfn
