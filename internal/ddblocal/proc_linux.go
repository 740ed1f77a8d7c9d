package ddblocal

import "syscall"

// A process group lets Stop end the JVM and anything it forked; Pdeathsig
// stops an orphaned JVM from holding the port when the Go parent dies hard
// (a killed test binary, a crashed `make run`).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
