package consolee2e

import "syscall"

// orphanSignal makes the child get sig when the test binary dies hard (a
// -timeout panic, a kill), so no stack or browser outlives it holding ports.
func orphanSignal(sig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: sig}
}
