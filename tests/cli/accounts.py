"""Emulator account files for the CLI tests: a small account with a connector user whose
policy is exactly what the test asks for."""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "1357924680135792"
ROOT_KEY = ("LTAIcliRootKey0000001", "cli-root-secret-do-not-print-0001")
DEPLOYER_KEY = ("LTAIcliDeployer000001", "cli-deployer-secret-do-not-print-01")
"""A RAM user that may only call sts:AssumeRole (the base credentials of --role-arn)."""
CONNECTOR_KEY = ("LTAIcliConnector00001", "cli-connector-secret-do-not-print-01")


SYNC_ROLE = "baton-sync"
SYNC_ROLE_ARN = f"acs:ram::{ACCOUNT_ID}:role/{SYNC_ROLE}"
"""A role that trusts the account (so its RAM users may assume it) and holds admin access."""


def _trust(principal: str) -> dict[str, Any]:
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Principal": {"RAM": [principal]}}]}


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
            {"name": "deployer", "access_keys": [
                {"id": DEPLOYER_KEY[0], "secret": DEPLOYER_KEY[1]}]},
        ],
        "groups": [{"name": "admins"}, {"name": "readers"}],
        "memberships": [{"user": "alice", "group": "admins"},
                        {"user": "bob", "group": "readers"}],
        "roles": [
            {"name": "auditor", "trust_policy": _trust(f"acs:ram::{ACCOUNT_ID}:user/alice")},
            {"name": SYNC_ROLE, "trust_policy": _trust(f"acs:ram::{ACCOUNT_ID}:root")},
        ],
        "policies": [],
        "attachments": [{"policy": "ReadOnlyAccess", "policy_type": "System",
                         "principal_type": "group", "principal": "readers"},
                        {"policy": "AdministratorAccess", "policy_type": "System",
                         "principal_type": "role", "principal": SYNC_ROLE},
                        {"policy": "AliyunSTSAssumeRoleAccess", "policy_type": "System",
                         "principal_type": "user", "principal": "deployer"}],
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
