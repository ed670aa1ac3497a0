// Command baton-alibaba-cloud is the connector binary ConductorOne customers run: baton-sdk's
// own command line, runner and syncer (one-shot -f, --grant-entitlement, --revoke-grant,
// service mode with --client-id/--client-secret) in front of the Python connector, which it
// starts as a child process (`baton-alibaba-cloud serve`) and talks to over baton's gRPC
// services on a private unix socket.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	"github.com/conductorone/baton-sdk/pkg/config"
	"github.com/conductorone/baton-sdk/pkg/field"
	"github.com/conductorone/baton-sdk/pkg/types"
	"github.com/spf13/viper"
	"google.golang.org/grpc/status"
)

var version = "dev"

func main() {
	if !supervised() { // see supervise.go: baton-sdk's exit status races on failure
		os.Exit(supervise())
	}
	// baton-sdk writes pebble files unless told otherwise; SQLite (v1) is what the baton CLI,
	// our reader and every older consumer read. --storage-engine still overrides it.
	if os.Getenv("BATON_STORAGE_ENGINE") == "" {
		_ = os.Setenv("BATON_STORAGE_ENGINE", "sqlite")
	}
	ctx := context.Background()
	_, cmd, err := config.DefineConfiguration(ctx, "baton-alibaba-cloud", getConnector,
		field.NewConfiguration(fields()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	cmd.Version = version
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", oneLine(err))
		os.Exit(1)
	}
}

// getConnector is called by baton-sdk in the process that serves the connector; the Python
// service starts on the first request, so processes that never call it (the runner's parent
// process, --help) never start one.
//
// In service mode the parent process first validates the configuration (the Alibaba Cloud
// credentials and permissions) with a service of its own, then stops it: a deployment whose
// credentials are refused fails at once, in one line, before connecting to ConductorOne.
func getConnector(ctx context.Context, v *viper.Viper) (types.ConnectorServer, error) {
	cfg := childConfigFrom(v)
	if v.GetString("client-id") != "" && !isConnectorService() {
		check := newProxy(cfg)
		defer func() { _ = check.Close() }()
		if _, err := check.Validate(ctx, &v2.ConnectorServiceValidateRequest{}); err != nil {
			return nil, fmt.Errorf("validating the connector configuration: %s", oneLine(err))
		}
	}
	return newProxy(cfg), nil
}

// oneLine is an error's message without gRPC's "rpc error: code = ... desc =" wrapping and
// without any line after the first.
func oneLine(err error) string {
	msg := err.Error()
	if s, ok := status.FromError(err); ok {
		msg = s.Message()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
