"""The organization of the CloudSSO end-to-end tests: the test Resource Directory
(``tests/emulator/org_account.py``: two folder levels, four members, one without its access
role, one whose access role may not list users) with a CloudSSO directory.

Users alice, bob and carol; group ops (alice, bob); access configurations ReadOnly (System
ReadOnlyAccess) and Admin (System AdministratorAccess and an inline policy). ReadOnly is assigned
to the group ops on prod-app and prod-eu, Admin to the user carol on prod-app. The ids are given
(Alibaba's shapes), so the expected sets below are written out, not computed.
"""

from __future__ import annotations

from typing import Any

from tests.emulator import org_account as org

REGION = "cn-shanghai"
DIRECTORY = "d-00fc2p61sso1"
D = f"acs:cloudsso:{REGION}:{org.MANAGEMENT}:directory/{DIRECTORY}"
USERS = {"alice": "u-00alice000000000001", "bob": "u-00bob00000000000002",
         "carol": "u-00carol000000000003"}
OPS = "g-00ops000000000000001"
CONFIGS = {"ReadOnly": "ac-00readonly00000001", "Admin": "ac-00admin0000000002"}
INLINE = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*",
                                         "Resource": "*"}]}


def user(name: str) -> str:
    return f"{D}/user/{USERS[name]}"


def config(name: str) -> str:
    return f"{D}/access-configuration/{CONFIGS[name]}"


GROUP = f"{D}/group/{OPS}"


def binding(name: str, uid: str) -> str:
    return f"{config(name)}@{uid}"


def reserved(uid: str, name: str) -> str:
    return f"acs:ram::{uid}:role/AliyunReservedSSO-{name}"


def block() -> dict[str, Any]:
    """The organization file's ``cloudsso`` block."""
    return {
        "directory_id": DIRECTORY, "directory_name": "example-sso", "region": REGION,
        "users": [{"name": n, "id": i, "display_name": n.title(), "email": f"{n}@example.com"}
                  for n, i in USERS.items()],
        "groups": [{"name": "ops", "id": OPS, "members": ["alice", "bob"]}],
        "access_configurations": [
            {"name": "ReadOnly", "id": CONFIGS["ReadOnly"],
             "policies": [{"type": "System", "name": "ReadOnlyAccess"}]},
            {"name": "Admin", "id": CONFIGS["Admin"], "policies": [
                {"type": "System", "name": "AdministratorAccess"},
                {"type": "Inline", "name": "ecs-describe", "document": INLINE}]}],
        "assignments": [
            {"access_configuration": "ReadOnly", "principal_type": "Group", "principal": "ops",
             "account": "prod-app"},
            {"access_configuration": "ReadOnly", "principal_type": "Group", "principal": "ops",
             "account": org.PROD_EU},
            {"access_configuration": "Admin", "principal_type": "User", "principal": "carol",
             "account": org.PROD_APP}],
    }


def organization() -> dict[str, Any]:
    """A fresh copy of the test organization with the CloudSSO directory."""
    data = org.organization()
    data["organization"]["cloudsso"] = block()
    return data
