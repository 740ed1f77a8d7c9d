//go:build !linux

package consolee2e

import "syscall"

// orphanSignal: only Linux can signal a child when its parent dies.
func orphanSignal(syscall.Signal) *syscall.SysProcAttr { return nil }
