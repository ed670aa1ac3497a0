"""Issue 9 point 2 end to end: ``assume`` is granted to exactly the users and roles that
Alibaba lets assume the role (trust AND their own sts:AssumeRole permission), and the
emulator's real STS AssumeRole agrees with the c1z on every (identity, role) pair.

The account: ``root-role`` trusts the account's root; ``named-role`` names ``u-named`` (who
has no sts:AssumeRole permission) and ``u-sts``; ``r-custom`` is a role whose custom policy
allows sts:AssumeRole on ``root-role`` only; ``u-deny`` holds AliyunSTSAssumeRoleAccess and a
Deny on sts:AssumeRole; ``u-cond`` may assume only from loopback (a conditional Allow);
``u-none`` holds nothing. Every identity has a key (a role's key is a session of it, issued to
``u-sts``, whom every role trusts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.alibaba import AlibabaClient, AlibabaError, Endpoints, StaticProvider
from baton_alibaba_cloud.baton import types as bt
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantImmutable, GrantMetadata
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.cli_helpers import clean_env, run_cli
from tests.e2e.test_sync_sample import config_for

UID = "2233445566778899"
ROOT = f"acs:ram::{UID}:root"
USERS = ["emulator-admin", "u-sts", "u-named", "u-deny", "u-cond", "u-none"]
ROLES = ["root-role", "named-role", "r-custom"]
LOOPBACK = {"IpAddress": {"acs:SourceIp": "127.0.0.0/8"}}


def arn(kind: str, name: str) -> str:
    return f"acs:ram::{UID}:{kind}/{name}"


def _trust(*principals: str) -> dict[str, Any]:
    return {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Principal": {"RAM": list(principals)}}]}


def _policy(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": "Custom", "document": {"Version": "1",
                                                         "Statement": list(statements)}}


def _attach(policy: str, kind: str, principal_type: str, principal: str) -> dict[str, str]:
    return {"policy": policy, "policy_type": kind, "principal_type": principal_type,
            "principal": principal}


ACCOUNT: dict[str, Any] = {
    "version": 1,
    "account": {"id": UID, "alias": "assume"},
    "users": [{"name": name, "access_keys": [{"id": f"LTAI5tAssume{n:04d}",
                                              "secret": f"secret-{name}-0123456789"}]}
              for n, name in enumerate(USERS)],
    "roles": [
        {"name": "root-role", "trust_policy": _trust(ROOT)},
        {"name": "named-role", "trust_policy": _trust(arn("user", "u-named"),
                                                      arn("user", "u-sts"))},
        {"name": "r-custom", "trust_policy": _trust(arn("user", "u-sts"))},
    ],
    "policies": [
        _policy("assume-root-role", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                     "Resource": f"acs:ram:*:{UID}:role/root-role"}),
        _policy("no-sts", {"Effect": "Deny", "Action": "sts:*", "Resource": "*"}),
        _policy("sts-from-loopback", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                      "Resource": "*", "Condition": LOOPBACK}),
    ],
    "attachments": [
        _attach("AdministratorAccess", "System", "user", "emulator-admin"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "u-sts"),
        _attach("AliyunSTSAssumeRoleAccess", "System", "user", "u-deny"),
        _attach("no-sts", "Custom", "user", "u-deny"),
        _attach("sts-from-loopback", "Custom", "user", "u-cond"),
        _attach("assume-root-role", "Custom", "role", "r-custom"),
    ],
}

# (role, principal type, principal name, conditional): the direct assume grants
EXPECTED = {
    ("root-role", "user", "emulator-admin", False),
    ("root-role", "user", "u-sts", False),
    ("root-role", "user", "u-cond", True),
    ("root-role", "role", "r-custom", False),
    ("named-role", "user", "u-sts", False),
    ("r-custom", "user", "u-sts", False),
}


def read_assume(path: Path) -> tuple[set[tuple[str, str, str, bool]], dict[str, Any]]:
    grants: set[tuple[str, str, str, bool]] = set()
    profiles: dict[str, Any] = {}
    with C1zReader.open(path) as reader:
        for grant in reader.grants(resource_type="role"):
            if bt.has_annotation(grant.annotations, GrantImmutable):
                continue
            metadata = bt.unpack_annotation(grant.annotations, GrantMetadata)
            fields = MessageToDict(metadata.metadata) if metadata is not None else {}
            grants.add((grant.entitlement.resource.id.resource.rsplit("/", 1)[1],
                        grant.principal.id.resource_type,
                        grant.principal.id.resource.rsplit("/", 1)[1],
                        bool(fields.get("conditional"))))
        for role in reader.resources("role"):
            profiles[role.display_name] = MessageToDict(role.profile)
    return grants, profiles


async def _assume(url: str, key: tuple[str, str, str | None], role: str) -> dict[str, Any]:
    client = AlibabaClient(StaticProvider(*key), Endpoints.single(url))
    async with client:
        answer = await client.call("sts", "AssumeRole", {"RoleArn": arn("role", role),
                                                         "RoleSessionName": "check"})
    return dict(answer["Credentials"])


async def _can_assume(url: str, key: tuple[str, str, str | None], role: str) -> bool:
    try:
        await _assume(url, key, role)
    except AlibabaError as exc:
        assert exc.code == "NoPermission", exc
        return False
    return True


async def test_assume_grants_match_the_emulators_sts(tmp_path: Path) -> None:
    path = tmp_path / "sync.c1z"
    async with running_emulator(ACCOUNT) as emu:
        await run.sync(config_for(emu), path)
        grants, profiles = read_assume(path)
        assert grants == EXPECTED
        assert profiles["named-role"]["trusted_not_permitted"] == [arn("user", "u-named")]
        shown = run_cli(["inspect", "principals", "-f", str(path), "-r", arn("role", "named-role"),
                         "-e", "assume", "-o", "json"], tmp_path, clean_env(tmp_path))
        assert shown.code == 0, shown.stderr
        assert [(r["principal_id"], r["path"].split(" (")[0])
                for r in json.loads(shown.stdout)["trusted_not_permitted"]] == [
            (arn("user", "u-named"), "trusted, not permitted")]
        keys: dict[tuple[str, str], tuple[str, str, str | None]] = {
            ("user", name): (f"LTAI5tAssume{n:04d}", f"secret-{name}-0123456789", None)
            for n, name in enumerate(USERS)}
        u_sts = keys[("user", "u-sts")]
        for role in ROLES:  # a session of each role, through u-sts whom every role trusts
            creds = await _assume(emu.url, u_sts, role)
            keys[("role", role)] = (creds["AccessKeyId"], creds["AccessKeySecret"],
                                    creds["SecurityToken"])
        conditional = []
        for (kind, name), key in sorted(keys.items()):
            for role in ROLES:
                if (kind, name) == ("role", role):
                    continue
                said = {c for r, k, n, c in grants if (r, k, n) == (role, kind, name)}
                real = await _can_assume(emu.url, key, role)
                if True in said:
                    conditional.append((name, role, real))
                else:
                    assert real == bool(said), (name, role)
    # the conditional ones, listed: from loopback the emulator lets u-cond in
    assert conditional == [("u-cond", "root-role", True)]
