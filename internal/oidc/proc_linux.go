package oidc

import "syscall"

// A process group lets Stop end node and anything it forked; Pdeathsig
// stops an orphaned provider from holding its port when the Go parent dies
// hard (a killed test binary, a crashed `make run`).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
