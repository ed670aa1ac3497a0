"""The test organization (``org_account``) with a CloudSSO directory (no tests here).

Users alice, bob, carol (Disabled), dave and erin; groups ops (alice, bob), dev (carol) and
empty; configurations ReadOnly (System ReadOnlyAccess), Admin (System AdministratorAccess plus
an inline policy) and Audit (System AliyunRAMReadOnlyAccess). Assignments: ReadOnly to the group
ops on prod-app, Admin to alice on prod-app, ReadOnly to bob on prod-eu. The member dev-locked
already holds a RAM role ``AliyunReservedSSO-Audit`` that CloudSSO did not create, so
provisioning Audit there fails.
"""

from __future__ import annotations

from typing import Any

from tests.emulator import org_account as org

DIRECTORY = "d-00fc2p61test"
INLINE = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*",
                                         "Resource": "*"}]}
USERS = ("alice", "bob", "carol", "dave", "erin")
GROUPS = ("ops", "dev", "empty")
CONFIGS = ("ReadOnly", "Admin", "Audit")


def block() -> dict[str, Any]:
    """The ``cloudsso`` block, fresh."""
    users: list[dict[str, Any]] = [{"name": name, "display_name": name.title(),
                                    "email": f"{name}@example.com"} for name in USERS]
    users[2]["status"] = "Disabled"
    return {
        "directory_id": DIRECTORY, "directory_name": "example-sso", "region": "cn-shanghai",
        "created": "2024-01-02T03:04:05Z", "users": users,
        "groups": [{"name": "ops", "members": ["alice", "bob"]},
                   {"name": "dev", "description": "developers", "members": ["carol"]},
                   {"name": "empty"}],
        "access_configurations": [
            {"name": "ReadOnly", "policies": [{"type": "System", "name": "ReadOnlyAccess"}]},
            {"name": "Admin", "session_duration": 7200, "policies": [
                {"type": "System", "name": "AdministratorAccess"},
                {"type": "Inline", "name": "ecs-describe", "document": INLINE}]},
            {"name": "Audit", "policies": [{"type": "System", "name": "AliyunRAMReadOnlyAccess"}]},
        ],
        "assignments": [
            {"access_configuration": "ReadOnly", "principal_type": "Group", "principal": "ops",
             "account": "prod-app"},
            {"access_configuration": "Admin", "principal_type": "User", "principal": "alice",
             "account": org.PROD_APP},
            {"access_configuration": "ReadOnly", "principal_type": "User", "principal": "bob",
             "account": "prod-eu"},
        ],
    }


def organization() -> dict[str, Any]:
    """The test organization with the CloudSSO block and the conflicting role in dev-locked."""
    data = org.organization()
    data["organization"]["cloudsso"] = block()
    locked = data["organization"]["accounts"][4]["document"]
    principal = {"RAM": [f"acs:ram::{org.MANAGEMENT}:root"]}
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                             "Principal": principal}]}
    locked["roles"].append({"name": "AliyunReservedSSO-Audit", "trust_policy": trust})
    return data
