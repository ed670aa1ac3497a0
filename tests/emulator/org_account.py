"""A small Resource Directory for the organization tests (emulator and e2e).

Management account ``org-mgmt`` (root folder) with its administrator ``emulator-admin`` and
``alice`` (no sts:AssumeRole permission); folders Production → Production EU and Development;
four members: ``prod-app`` (Production), ``prod-eu`` (Production EU), ``dev-norole`` (Development,
its access role was deleted) and ``dev-locked`` (Development, its access role may only read the
account alias, so listing users is refused).
"""

from __future__ import annotations

from typing import Any

MANAGEMENT = "1100000000000001"
PROD_APP, PROD_EU, DEV_NOROLE, DEV_LOCKED = (
    "1100000000000002", "1100000000000003", "1100000000000004", "1100000000000005")
ROOT, PROD, PROD_EU_FOLDER, DEV = "r-orgtest", "fd-prod", "fd-prodeu", "fd-dev"
ADMIN_KEY = ("LTAI5tOrgMgmtAdmin000001", "org-mgmt-admin-secret-0001")
ALICE_KEY = ("LTAI5tOrgMgmtAlice000001", "org-mgmt-alice-secret-0001")
ROOT_KEY = ("LTAI5tOrgMgmtRoot0000001", "org-mgmt-root-secret-0001")
MEMBER_ROOT_KEY = ("LTAI5tOrgProdAppRoot0001", "org-prod-app-root-secret-01")
ACCESS_ROLE = "ResourceDirectoryAccountAccessRole"


def _account(uid: str, alias: str, users: list[str],
             root_key: tuple[str, str] | None = None) -> dict[str, Any]:
    account: dict[str, Any] = {"id": uid, "alias": alias, "created": "2024-01-01T00:00:00Z"}
    if root_key:
        account["access_keys"] = [{"id": root_key[0], "secret": root_key[1]}]
    return {"version": 1, "account": account,
            "users": [{"name": name} for name in users],
            "groups": [{"name": f"{alias}-ops"}],
            "memberships": [{"group": f"{alias}-ops", "user": users[0]}]}


def _management() -> dict[str, Any]:
    document = _account(MANAGEMENT, "org-mgmt", ["emulator-admin", "alice"], ROOT_KEY)
    document["users"] = [
        {"name": "emulator-admin", "access_keys": [{"id": ADMIN_KEY[0], "secret": ADMIN_KEY[1]}]},
        {"name": "alice", "access_keys": [{"id": ALICE_KEY[0], "secret": ALICE_KEY[1]}]}]
    document["attachments"] = [
        {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "user",
         "principal": "emulator-admin"},
        {"policy": "ReadOnlyAccess", "policy_type": "System", "principal_type": "user",
         "principal": "alice"}]
    return document


def _locked() -> dict[str, Any]:
    """A member whose access role may only read the account alias."""
    document = _account(DEV_LOCKED, "dev-locked", ["frank"])
    principal = {"RAM": [f"acs:ram::{MANAGEMENT}:root"]}
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                             "Principal": principal}]}
    document["roles"] = [{"name": ACCESS_ROLE, "trust_policy": trust}]
    document["policies"] = [{"name": "alias-only", "type": "Custom", "document": {
        "Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:GetAccountAlias",
                                       "Resource": "*"}]}}]
    document["attachments"] = [{"policy": "alias-only", "policy_type": "Custom",
                                "principal_type": "role", "principal": ACCESS_ROLE}]
    return document


def organization() -> dict[str, Any]:
    """A fresh copy of the test organization file."""
    return {"version": 1, "organization": {
        "resource_directory_id": "rd-orgtest", "root_folder_id": ROOT,
        "created": "2024-01-01T00:00:00Z",
        "folders": [{"id": PROD, "name": "Production"},
                    {"id": PROD_EU_FOLDER, "name": "Production EU", "parent": PROD},
                    {"id": DEV, "name": "Development"}],
        "accounts": [
            {"management": True, "display_name": "Management", "document": _management()},
            {"display_name": "prod-app", "folder": PROD,
             "document": _account(PROD_APP, "prod-app", ["bob", "carol"], MEMBER_ROOT_KEY)},
            {"display_name": "prod-eu", "folder": PROD_EU_FOLDER,
             "document": _account(PROD_EU, "prod-eu", ["dave"])},
            {"display_name": "dev-norole", "folder": DEV, "access_role": False,
             "document": _account(DEV_NOROLE, "dev-norole", ["erin"])},
            {"display_name": "dev-locked", "folder": DEV, "access_role": False,
             "document": _locked()},
        ]}}
