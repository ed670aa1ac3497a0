"""Emulator account files for the CLI tests: a small account with a connector user whose
policy is exactly what the test asks for."""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "1357924680135792"
ROOT_KEY = ("LTAIcliRootKey0000001", "cli-root-secret-do-not-print-0001")
CONNECTOR_KEY = ("LTAIcliConnector00001", "cli-connector-secret-do-not-print-01")


def _allow(actions: list[str]) -> dict[str, Any]:
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def account(connector_actions: list[str] | None = None) -> dict[str, Any]:
    """A small account; with ``connector_actions`` a RAM user ``connector`` holds exactly
    those actions through a custom policy (an empty list: a user with no permission at all)."""
    data: dict[str, Any] = {
        "account": {"id": ACCOUNT_ID, "alias": "cli-test",
                    "access_keys": [{"id": ROOT_KEY[0], "secret": ROOT_KEY[1]}]},
        "users": [
            {"name": "alice", "display_name": "Alice", "email": "alice@example.com"},
            {"name": "bob", "status": "freeze"},
        ],
        "groups": [{"name": "admins"}, {"name": "readers"}],
        "memberships": [{"user": "alice", "group": "admins"},
                        {"user": "bob", "group": "readers"}],
        "roles": [{"name": "auditor", "trust_policy": {
            "Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Principal": {"RAM": [
                                               f"acs:ram::{ACCOUNT_ID}:user/alice"]}}]}}],
        "policies": [],
        "attachments": [{"policy": "ReadOnlyAccess", "policy_type": "System",
                         "principal_type": "group", "principal": "readers"}],
    }
    if connector_actions is not None:
        data["users"].append({"name": "connector", "access_keys": [
            {"id": CONNECTOR_KEY[0], "secret": CONNECTOR_KEY[1]}]})
        if connector_actions:
            data["policies"].append({"name": "BatonConnector", "type": "Custom",
                                     "document": _allow(sorted(connector_actions))})
            data["attachments"].append({"policy": "BatonConnector", "policy_type": "Custom",
                                        "principal_type": "user", "principal": "connector"})
    return data
