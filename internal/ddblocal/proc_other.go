//go:build !linux

package ddblocal

import "syscall"

// Outside Linux there is no Pdeathsig; the process group still lets Stop end
// the JVM and its children.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
