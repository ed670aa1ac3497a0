"""The account that ``test_sdk_conformance.py`` serves to the official SDK clients (no tests).

Why its own account rather than the bundled sample: every action needs a target in a known
state (a policy attached to detach, a user outside a group to add, a user with nothing attached
to delete), and the tests must not break when the demo account changes. The caller is a RAM
user with AdministratorAccess, because STS refuses AssumeRole from the root account.
"""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "1234567890123456"
ALIAS = "conformance"
DOMAIN = f"{ALIAS}.onaliyun.com"
ADMIN_KEY = ("LTAI5tConformanceAdmin01", "conformance-admin-secret-0001")
ALICE_KEY = "LTAI5tConformanceAlice01"
OIDC_ISSUER = "https://oidc.conformance.example.com"

_ACCOUNT_TRUST = {"Version": "1", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"RAM": [f"acs:ram::{ACCOUNT_ID}:root"]}}]}
_OIDC_TRUST = {"Version": "1", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Federated": [f"acs:ram::{ACCOUNT_ID}:oidc-provider/conformance-idp"]},
    "Condition": {"StringEquals": {"oidc:aud": "sts.aliyuncs.com"}}}]}

ACCOUNT: dict[str, Any] = {
    "version": 1,
    "account": {
        "id": ACCOUNT_ID, "alias": ALIAS,
        "access_keys": [{"id": "LTAI5tConformanceRoot001", "secret": "conformance-root-secret"}],
    },
    "users": [
        {"name": "emulator-admin", "display_name": "Admin",
         "access_keys": [{"id": ADMIN_KEY[0], "secret": ADMIN_KEY[1]}]},
        {"name": "alice", "display_name": "Alice", "email": "alice@example.com",
         "last_login": "2026-11-01T08:00:00Z",
         "access_keys": [{"id": ALICE_KEY, "secret": "alice-secret-0001",
                          "last_used": "2026-11-20T10:00:00Z", "last_used_service": "Ram"}],
         "login_profile": {"status": "Active", "mfa_bind_required": True},
         "mfa": {"name": "alice-vmfa", "type": "VMFA"}},
        {"name": "bob", "display_name": "Bob"},
        {"name": "frozen", "display_name": "Frozen", "status": "freeze"},
        {"name": "doomed", "display_name": "Doomed"},
    ],
    "groups": [
        {"name": "dev", "display_name": "Developers", "comments": "Dev team"},
        {"name": "ops", "display_name": "Operations"},
        {"name": "qa", "display_name": "QA"},
    ],
    "memberships": [{"user": "alice", "group": "dev"}, {"user": "bob", "group": "dev"}],
    "roles": [
        {"name": "conformance-role", "description": "Assumed by the conformance tests",
         "trust_policy": _ACCOUNT_TRUST, "max_session_duration": 3600},
        {"name": "oidc-role", "description": "Assumed with an OIDC token",
         "trust_policy": _OIDC_TRUST},
        {"name": "spare-role", "trust_policy": _ACCOUNT_TRUST},
    ],
    "policies": [
        {"name": "dev-access", "type": "Custom", "description": "Developers",
         "document": {"Version": "1", "Statement": [
             {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}]}},
        {"name": "ops-access", "type": "Custom", "description": "Operations",
         "document": {"Version": "1", "Statement": [
             {"Effect": "Allow", "Action": "oss:*", "Resource": "*"}]}},
    ],
    "attachments": [
        {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "user",
         "principal": "emulator-admin"},
        {"policy": "dev-access", "policy_type": "Custom", "principal_type": "user",
         "principal": "alice"},
        {"policy": "dev-access", "policy_type": "Custom", "principal_type": "group",
         "principal": "dev"},
        {"policy": "AdministratorAccess", "policy_type": "System", "principal_type": "role",
         "principal": "conformance-role"},
        {"policy": "dev-access", "policy_type": "Custom", "principal_type": "role",
         "principal": "conformance-role"},
    ],
    "saml_providers": [{"name": "conformance-saml", "description": "SAML IdP"}],
    "oidc_providers": [{"name": "conformance-idp", "issuer_url": OIDC_ISSUER,
                        "client_ids": ["sts.aliyuncs.com"], "fingerprints": ["ab" * 20]}],
}
