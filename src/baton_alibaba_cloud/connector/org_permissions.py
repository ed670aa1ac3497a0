"""``permissions --organization``: what the management identity and the member role need.

The management account's identity needs the single-account sync's policy, the Resource
Directory reads that discover folders and accounts, and ``sts:AssumeRole`` on the member role
in every account, and CloudSSO's reads (its writes with ``-p``: CloudSSO membership and
assignments are provisioned from the management account); each member's role needs the
single-account sync's policy (the default ``ResourceDirectoryAccountAccessRole`` holds
AdministratorAccess, more than this).
"""

from __future__ import annotations

from typing import Any

from baton_alibaba_cloud.connector.cloudsso import READ_ACTIONS, WRITE_ACTIONS
from baton_alibaba_cloud.connector.permissions import policy_document

__all__ = ["DIRECTORY_ACTIONS", "organization_policies"]

DIRECTORY_ACTIONS = ("resourcemanager:GetResourceDirectory", "resourcemanager:ListFoldersForParent",
                     "resourcemanager:ListAccountsForParent")


def organization_policies(member_role_name: str, *, sync_secrets: bool = False,
                          provisioning: bool = False) -> dict[str, Any]:
    """``{"management_account": <policy>, "member_role": <policy>}``."""
    cloudsso = [*READ_ACTIONS, *(WRITE_ACTIONS if provisioning else ())]
    member = policy_document(sync_secrets=sync_secrets)
    management = policy_document(sync_secrets=sync_secrets)
    management["Statement"] = [
        *management["Statement"],
        {"Effect": "Allow", "Action": list(DIRECTORY_ACTIONS), "Resource": "*"},
        {"Effect": "Allow", "Action": cloudsso, "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"acs:ram::*:role/{member_role_name}"},
    ]
    return {"management_account": management, "member_role": member}
