"""System policies every emulated account has, written for the emulator (not Alibaba's text).

They are enough for the demo's administrator, a read-only connector and role assumption;
an account file may define more System policies, or its own versions of these.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN_SYSTEM_POLICIES"]


def _allow(actions: list[str] | str) -> dict[str, Any]:
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


BUILTIN_SYSTEM_POLICIES: list[dict[str, Any]] = [
    {"name": "AdministratorAccess", "type": "System",
     "description": "Full access to all cloud resources.", "document": _allow("*")},
    {"name": "ReadOnlyAccess", "type": "System",
     "description": "Read-only access to all cloud resources.",
     "document": _allow(["*:Get*", "*:List*", "*:Describe*", "*:Query*", "*:BatchGet*"])},
    {"name": "AliyunRAMFullAccess", "type": "System",
     "description": "Full access to Resource Access Management.", "document": _allow("ram:*")},
    {"name": "AliyunRAMReadOnlyAccess", "type": "System",
     "description": "Read-only access to Resource Access Management.",
     "document": _allow(["ram:Get*", "ram:List*"])},
    {"name": "AliyunSTSAssumeRoleAccess", "type": "System",
     "description": "Permission to call STS AssumeRole.", "document": _allow("sts:AssumeRole")},
]
