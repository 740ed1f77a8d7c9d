// Package config holds keymint's runtime settings, read once per cold start
// from the function's environment (template.yaml sets them; DESIGN.md §5
// names the lifecycle defaults).
package config
