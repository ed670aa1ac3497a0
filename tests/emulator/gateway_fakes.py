"""A tiny stand-in backend and a signing helper for the gateway tests (app, auth, quotas, faults).

Why a fake: the gateway checks (signature, permissions, quotas, faults) are independent of the
account's business rules, so they are tested against a backend whose answers are obvious.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from yarl import URL

from baton_alibaba_cloud.alibaba._signer import format_date, sign_request
from baton_alibaba_cloud.emulator.identity import Caller, ResolvedKey
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import RunningEmulator, running_emulator

UID = "1234567890123456"
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
VERSIONS = {"ram": "2015-05-01", "ims": "2019-08-15", "sts": "2015-04-01"}
IMPLEMENTED = {
    ("ram", "ListUsers"), ("ram", "ListGroups"), ("ram", "GetAccountAlias"),
    ("ram", "UpdateUser"), ("ram", "AddUserToGroup"), ("ram", "GetUser"),
    ("ims", "ListUsers"), ("sts", "GetCallerIdentity"), ("sts", "AssumeRole"),
    ("sts", "AssumeRoleWithOIDC"),
}
LIMITED_POLICY: dict[str, Any] = {
    "Version": "1",
    "Statement": [
        {"Effect": "Allow", "Action": ["ram:List*", "ram:GetUser"], "Resource": "*"},
        {"Effect": "Deny", "Action": "ram:listgroups", "Resource": "*"},
        {"Effect": "Allow", "Action": "ram:AddUserToGroup",
         "Resource": f"acs:ram:*:{UID}:group/dev-*"},
    ],
}


class Clock:
    """A settable wall clock (epoch seconds)."""

    def __init__(self, when: datetime = NOW) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _caller(kind: str, name: str, key: str) -> Caller:
    arn = {"root": f"acs:ram::{UID}:root", "user": f"acs:ram::{UID}:user/{name}",
           "role": f"acs:ram::{UID}:assumed-role/{name}/s1"}[kind]
    return Caller(UID, kind, name, arn, f"p-{name or 'root'}", key,  # type: ignore[arg-type]
                  session_name="s1" if kind == "role" else None)


@dataclass
class FakeBackend:
    """Keys: root, alice (limited policy), an inactive key, a live and an expired STS key."""

    account_id: str = UID
    keys: dict[str, ResolvedKey] = field(default_factory=dict)
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        later, earlier = NOW + timedelta(hours=1), NOW - timedelta(hours=1)
        self.add(ResolvedKey("rootid", "rootsecret", _caller("root", "", "rootid")))
        self.add(ResolvedKey("aliceid", "alicesecret", _caller("user", "alice", "aliceid")))
        self.add(ResolvedKey("offid", "offsecret", _caller("user", "bob", "offid"),
                             status="Inactive"))
        self.add(ResolvedKey("STS.live", "stssecret", _caller("role", "ops", "STS.live"),
                             security_token="tok-live", expires_at=later))
        self.add(ResolvedKey("STS.old", "stssecret", _caller("role", "ops", "STS.old"),
                             security_token="tok-old", expires_at=earlier))
        self.add(ResolvedKey("testid", "testsecret", _caller("root", "", "testid")))
        self.policies["alice"] = [LIMITED_POLICY]

    def add(self, key: ResolvedKey) -> None:
        self.keys[key.access_key_id] = key

    def resolve_access_key(self, access_key_id: str) -> ResolvedKey | None:
        return self.keys.get(access_key_id)

    def identity_policy_documents(self, caller: Caller) -> list[dict[str, Any]]:
        return [] if caller.kind == "root" else self.policies.get(caller.name, [])


def fake_dispatch(backend: Any, service: str, action: str, params: dict[str, str],
                  caller: Caller) -> dict[str, Any]:
    """Echo what the handler would have received."""
    if action == "GetUser" and params.get("UserName") == "ghost":
        from baton_alibaba_cloud.emulator.errors import EmulatorError

        raise EmulatorError("EntityNotExist.User", "The user does not exist.", 404)
    return {"Service": service, "Action": action, "Params": params, "Caller": caller.arn}


@dataclass
class Creds:
    access_key_id: str
    access_key_secret: str
    security_token: str | None = None


ROOT = Creds("rootid", "rootsecret")
ALICE = Creds("aliceid", "alicesecret")


async def call(
    session: aiohttp.ClientSession,
    base_url: str,
    service: str,
    action: str,
    params: dict[str, str] | None = None,
    *,
    creds: Creds = ROOT,
    clock: Callable[[], float] | None = None,
    nonce: str | None = None,
    body: bytes = b"",
    content_type: str | None = None,
    extra_headers: dict[str, str] | None = None,
    method: str = "POST",
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    """Sign with our signer and send over loopback; returns ``(status, json body, response)``."""
    url = URL(base_url)
    when = datetime.fromtimestamp(clock(), UTC) if clock else NOW
    signed = sign_request(
        method, f"{url.host}:{url.port}", action, VERSIONS[service], params or {},
        credentials=creds, date=format_date(when), nonce=nonce or uuid.uuid4().hex,
        body=body, content_type=content_type,
    )
    headers = {**signed.headers, **(extra_headers or {})}
    target = URL(f"{base_url}/?{signed.url_query}" if signed.url_query else f"{base_url}/",
                 encoded=True)
    async with session.request(method, target, headers=headers, data=body) as response:
        payload = await response.json(content_type=None)
        return response.status, payload, response


@dataclass
class Harness:
    """A running fake emulator with a client session and its clock."""

    emu: RunningEmulator
    session: aiohttp.ClientSession
    clock: Clock
    backend: FakeBackend

    async def call(self, service: str, action: str, params: dict[str, str] | None = None,
                   **kwargs: Any) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
        kwargs.setdefault("clock", self.clock)
        return await call(self.session, self.emu.url, service, action, params, **kwargs)


@contextlib.asynccontextmanager
async def harness(**options: Any) -> AsyncIterator[Harness]:
    """The fake backend behind the real app on a loopback port; ``options`` go to
    :class:`EmulatorOptions` (the clock is a settable :class:`Clock`)."""
    clock = Clock()
    backend = FakeBackend()
    opts = EmulatorOptions(clock=clock, **options)
    async with (
        running_emulator(None, opts, backend=backend, dispatch=fake_dispatch,
                         implemented=IMPLEMENTED) as emu,
        aiohttp.ClientSession(auto_decompress=False) as session,
    ):
        yield Harness(emu, session, clock, backend)
