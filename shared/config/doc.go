// Package config holds keymint's runtime settings, read once per cold start
// from the function's environment (template.yaml sets them; docs/configuration.md
// names the lifecycle defaults).
package config
