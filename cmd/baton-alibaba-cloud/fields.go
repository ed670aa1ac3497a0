package main

import (
	"strconv"
	"strings"

	"github.com/conductorone/baton-sdk/pkg/field"
	"github.com/spf13/viper"
)

// passThrough are the Python connector's configuration fields: declared here so baton-sdk's
// command line and `config` schema accept them, and handed to the child as BATON_* variables
// (the child's own flag table validates them).
var passThrough = []struct {
	name, description string
	kind              string // "string", "secret", "int", "bool"
	hidden            bool
}{
	{"access-key-id", "The AccessKey ID of a RAM user (or of STS credentials).", "string", false},
	{"access-key-secret", "The AccessKey secret that goes with --access-key-id.", "secret", false},
	{"security-token", "An STS security token that goes with the AccessKey pair.", "secret", false},
	{"role-arn", "Assume this RAM role (STS AssumeRole) with the base credentials.", "string", false},
	{"role-session-name", "The session name for --role-arn.", "string", false},
	{"role-session-duration", "Seconds each --role-arn session lasts (900-43200).", "int", false},
	{"external-id", "The external ID the role's trust policy requires.", "secret", false},
	{"profile", "A profile of the Alibaba Cloud CLI configuration (~/.aliyun/config.json).", "string", false},
	{"ecs-metadata-url", "The ECS instance metadata service (tests and proxies).", "string", true},
	{"endpoint", "One URL for every Alibaba Cloud API (an emulator, a proxy).", "string", false},
	{"ram-endpoint", "The RAM endpoint: a host name or a full URL.", "string", false},
	{"ims-endpoint", "The IMS endpoint: a host name or a full URL.", "string", false},
	{"sts-endpoint", "The STS endpoint: a host name or a full URL.", "string", false},
	{"resource-manager-endpoint", "The Resource Manager endpoint: a host name or a full URL.", "string", false},
	{"rate-limit-scale", "Multiply every published per-action quota by this factor.", "string", false},
	{"max-in-flight", "Requests in flight at once across all actions.", "int", false},
	{"request-timeout", "Seconds to wait for one API answer before retrying.", "int", false},
	{"sync-secrets", "Also sync AccessKeys (ids, status, dates; never secrets).", "bool", false},
}

const connectorCommandField = "connector-command"

func fields() []field.SchemaField {
	out := []field.SchemaField{
		field.StringField(connectorCommandField,
			field.WithDescription("The command of the Python connector (words split on spaces); the serve subcommand is appended "+
				"to it"),
			field.WithDefaultValue("baton-alibaba-cloud")),
	}
	for _, f := range passThrough {
		desc, hidden := field.WithDescription(f.description), field.WithHidden(f.hidden)
		switch f.kind {
		case "int":
			out = append(out, field.IntField(f.name, desc, hidden))
		case "bool":
			out = append(out, field.BoolField(f.name, desc, hidden))
		case "secret":
			out = append(out, field.StringField(f.name, desc, hidden, field.WithIsSecret(true)))
		default:
			out = append(out, field.StringField(f.name, desc, hidden))
		}
	}
	return out
}

// childConfig is what the child process needs: its command, its environment additions and
// whether provisioning is on (this run grants or revokes, or --provisioning was given).
// baton-sdk's own --http-timeout-seconds is baton-sdk's; the API timeout is --request-timeout.
type childConfig struct {
	command      []string
	env          []string
	provisioning bool
}

func childConfigFrom(v *viper.Viper) childConfig {
	cfg := childConfig{
		command: strings.Fields(v.GetString(connectorCommandField)),
		provisioning: v.GetBool("provisioning") || v.GetString("grant-entitlement") != "" ||
			v.GetString("revoke-grant") != "",
	}
	for _, f := range passThrough {
		value := ""
		switch f.kind {
		case "int":
			if n := v.GetInt(f.name); n != 0 {
				value = strconv.Itoa(n)
			}
		case "bool":
			if v.GetBool(f.name) {
				value = "true"
			}
		default:
			value = v.GetString(f.name)
		}
		if value != "" {
			cfg.env = append(cfg.env, envName(f.name)+"="+value)
		}
	}
	return cfg
}

// envName is viper's mapping: access-key-id -> BATON_ACCESS_KEY_ID.
func envName(name string) string {
	return "BATON_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}
