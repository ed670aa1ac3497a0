//go:build tools

// Package tools pins the baton CLI (cmd/baton of baton-sdk) that the tests run against our
// c1z files: go.mod names the baton-sdk version and go.sum the hashes of every module it
// builds from. scripts/go_tools.sh builds it into .gobin/.
package tools

import _ "github.com/conductorone/baton-sdk/cmd/baton"
