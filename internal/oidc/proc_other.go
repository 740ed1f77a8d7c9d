//go:build !linux

package oidc

import "syscall"

// Outside Linux there is no Pdeathsig; the process group still lets Stop end
// the provider and its children.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
