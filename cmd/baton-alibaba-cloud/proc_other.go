//go:build !linux

package main

import "os/exec"

// setParentDeathSignal: elsewhere the service relies on its stdin closing.
func setParentDeathSignal(*exec.Cmd) {}
