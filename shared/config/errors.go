package config

import "errors"

// ErrInvalid marks a setting that is present but unusable; every error
// FromEnv returns wraps it and names the variable.
var ErrInvalid = errors.New("config: invalid configuration")
