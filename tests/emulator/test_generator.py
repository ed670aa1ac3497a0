"""The synthetic account generator: exact counts, determinism, speed, spec parsing."""

from __future__ import annotations

import json
import time

import pytest

from baton_alibaba_cloud.emulator.accounts.generator import Spec, generate, parse_spec
from baton_alibaba_cloud.emulator.backend import Backend


def test_parse_spec() -> None:
    spec = parse_spec("users=500, groups=20,frozen=0.1,seed=7")
    assert (spec.users, spec.groups, spec.frozen, spec.seed) == (500, 20, 0.1, 7)
    for bad in ("users", "nope=1", "users=x", "frozen=2", "users=2,groups=1,memberships=3"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_default_edge_counts_fit_small_sizes() -> None:
    """``users=5,groups=2`` is a valid request: the default 200 memberships shrink to the 10
    that fit; a count given explicitly is never shrunk (it is refused if it does not fit)."""
    spec = parse_spec("users=5,groups=2,roles=0,custom_policies=0,resource_groups=0")
    assert (spec.memberships, spec.scoped_attachments) == (10, 0)
    backend = Backend.from_account(generate(spec))
    assert sum(len(m) for m in backend.members.values()) == 10
    assert parse_spec("users=50,groups=10").memberships == Spec().memberships


def test_counts_are_exact_and_load() -> None:
    spec = parse_spec("users=3000,groups=40,roles=90,system_policies=60,custom_policies=30,"
                      "memberships=9000,attachments=4000,resource_groups=3,"
                      "scoped_attachments=500,frozen=0.2,seed=3")
    account = generate(spec)
    backend = Backend.from_account(account)
    assert len(backend.users) == 3000 and len(backend.groups) == 40
    assert len(backend.roles) == 90
    assert sum(p.policy_type == "System" for p in backend.policies) == 60
    assert sum(p.policy_type == "Custom" for p in backend.policies) == 30
    assert sum(len(m) for m in backend.members.values()) == 9000
    assert sum(len(a) for a in backend.attached_to.values()) == 4000
    assert len(backend.resource_groups) == 3 and len(backend.scoped) == 500
    assert {scope for scope, _, _ in backend.scoped} == {g.group_id for g in
                                                          backend.resource_groups}
    frozen = sum(u.status == "freeze" for u in backend.users)
    assert 450 < frozen < 750
    admin = backend.user("emulator-admin")
    assert ("System", "AdministratorAccess") in backend.attached_to[("user", admin.user_id)]
    assert backend.admin_credentials() is not None
    kinds = "\n".join(r.trust_policy for r in backend.roles)
    for needle in (":root", ":user/", ":role/", "aliyuncs.com", "saml-provider", "oidc-provider",
                   "Deny", "sts:ExternalId"):
        assert needle in kinds
    assert backend.login_profiles and backend.mfa_of_user and backend.keys_of_user


def test_deterministic_for_a_seed() -> None:
    spec = Spec(users=400, groups=10, memberships=800, attachments=300, seed=5)
    assert json.dumps(generate(spec)) == json.dumps(generate(spec))
    assert json.dumps(generate(spec)) != json.dumps(generate(Spec(**{**spec.__dict__, "seed": 6})))


def test_dense_memberships() -> None:
    account = generate(Spec(users=20, groups=5, memberships=100, attachments=1))
    assert len({(m["user"], m["group"]) for m in account["memberships"]}) == 100
    Backend.from_account(account)


def test_fifty_thousand_users_are_fast() -> None:
    started = time.perf_counter()
    account = generate(parse_spec("users=50000,groups=2000,roles=5000,system_policies=1500,"
                                  "custom_policies=5000,memberships=200000,attachments=100000,"
                                  "frozen=0.05,seed=1"))
    elapsed = time.perf_counter() - started
    assert len(account["users"]) == 50000 and len(account["memberships"]) == 200000
    assert len([a for a in account["attachments"] if "resource_group" not in a]) == 100000
    assert len([a for a in account["attachments"] if "resource_group" in a]) == 10
    assert elapsed < 30, f"generation took {elapsed:.1f}s (a few seconds on an idle machine)"
