// Package registry lists every Lambda function of template.yaml by logical
// id, with the constructor its functions/<name>/main.go uses: keymint's
// functions are built from an App by their wiring packages
// (shared/app/<name>fn; Functions), the example API's backend,
// like any customer backend behind keymint, from nothing (Standalone). The
// local stack and the tests build functions only through it, so what runs
// locally is what runs on Lambda. Lambda bootstraps do not import it: each
// main names its own constructor, so it links only its own function.
package registry
