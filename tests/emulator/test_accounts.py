"""The account format: the sample loads and covers the demo's cases; bad files say why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baton_alibaba_cloud.emulator.accounts import SAMPLE_ACCOUNT
from baton_alibaba_cloud.emulator.accounts.schema import AccountFileError
from baton_alibaba_cloud.emulator.backend import Backend


def sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_ACCOUNT.read_text(encoding="utf-8"))
    return data


def test_sample_covers_the_demo() -> None:
    backend = Backend.from_account(sample())
    users = list(backend.users)
    assert 10 <= len(users) <= 12
    assert sum(u.status == "freeze" for u in users) == 2
    assert backend.mfa_of_user and backend.login_profiles
    ci = backend.user("ci-deployer")
    assert backend.keys_of(ci) and ci.user_id not in backend.login_profiles
    documents = [r.trust_policy for r in backend.roles]
    text = "\n".join(documents)
    for needle in (":root", ":user/", ":role/", "ecs.aliyuncs.com", "saml-provider/",
                   "oidc-provider/", "Condition", '"Deny"', "1987654321098765"):
        assert needle in text, needle
    broken = 0
    for document in documents:
        try:
            json.loads(document)
        except ValueError:
            broken += 1
    assert broken == 1
    types = {p.policy_type for p in backend.policies if backend.attachment_count(p.key)}
    assert types == {"System", "Custom"}
    kinds = {kind for (kind, _id), attached in backend.attached_to.items() if attached}
    assert kinds == {"user", "group", "role"}
    assert any(k.last_used for k in backend.access_keys.values())
    admin = backend.user("emulator-admin")
    assert ("System", "AdministratorAccess") in backend.attached_to[("user", admin.user_id)]
    assert len(backend.saml_providers) == 1 and len(backend.oidc_providers) == 1


def test_stable_ids_across_loads() -> None:
    first, second = Backend.from_account(sample()), Backend.from_account(sample())
    assert first.user("alice").user_id == second.user("alice").user_id
    assert first.role("admin-role").role_id == second.role("admin-role").role_id


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["users"][1].update(status="frozen"), "users[1].status: must be one of"),
    (lambda d: d["users"][0].update(nmae="x"), "users[0].nmae: unknown field"),
    (lambda d: d.update(extra=[]), "extra: unknown section"),
    (lambda d: d["account"].pop("id"), "account.id: is required"),
    (lambda d: d["users"][1].update(created="yesterday"), "users[1].created: must be a time"),
    (lambda d: d["memberships"].append({"user": "ghost", "group": "developers"}),
     "no such user 'ghost'"),
    (lambda d: d["attachments"].append({"policy": "nope", "policy_type": "Custom",
                                        "principal_type": "user", "principal": "bob"}),
     "no such policy 'nope'"),
    (lambda d: d["account"].update(limits={"Bogus": 1}), "account.limits.Bogus: unknown limit"),
    (lambda d: d["users"].append({"name": "alice"}), "duplicate user 'alice'"),
    (lambda d: d["users"][1]["access_keys"][0].update(status="on"),
     "users[1].access_keys[0].status"),
])
def test_invalid_files_say_what_is_wrong(mutate: Any, expected: str) -> None:
    data = sample()
    mutate(data)
    with pytest.raises(AccountFileError) as caught:
        Backend.from_account(data)
    assert expected in str(caught.value)


def test_minimal_account_gets_builtin_policies_and_limits() -> None:
    backend = Backend.from_account({"account": {"id": "1", "alias": "tiny",
                                                "limits": {"UsersQuota": 2}}})
    assert backend.policy("System", "AdministratorAccess").default_version == "v1"
    assert backend.account.default_domain == "tiny.onaliyun.com"
    assert backend.account.quotas["UsersQuota"] == 2 and backend.admin_credentials() is None
