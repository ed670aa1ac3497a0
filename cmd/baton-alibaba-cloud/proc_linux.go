package main

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal: the kernel sends SIGTERM to the service if this process dies without
// closing it (baton-sdk ends its connector process with os.Exit).
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
