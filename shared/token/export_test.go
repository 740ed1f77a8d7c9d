package token

// ErrNoEntropy exposes the exhausted-source error to the external tests.
var ErrNoEntropy = errNoEntropy
