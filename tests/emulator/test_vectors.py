"""The official SDK's captured requests (../shared/vectors/acs3) verify, and any change breaks them.

Two levels: the verifier fed the recorded pieces (every signed header, every query value, the
body), and the recorded bytes replayed over loopback against the app (clock and nonce checks
off, since the captures carry their capture time).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

from baton_alibaba_cloud.alibaba._signer import canonical_query, parse_authorization, parse_query
from baton_alibaba_cloud.emulator.auth import IncomingRequest, Verifier
from baton_alibaba_cloud.emulator.errors import EmulatorError
from baton_alibaba_cloud.emulator.identity import ResolvedKey
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import running_emulator

from .gateway_fakes import IMPLEMENTED, FakeBackend, fake_dispatch

NAMES = [f"vector_{i}" for i in range(7)]


def _load(shared_dir: Path, name: str) -> dict[str, Any]:
    path = next((shared_dir / "vectors" / "acs3").glob(f"{name}_*.json"))
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _incoming(vector: dict[str, Any]) -> IncomingRequest:
    r = vector["request"]
    return IncomingRequest(r["method"], r["path"], parse_query(r["query"]),
                           [(k, v) for k, v in r["headers"]], r["body"].encode("latin-1"))


def _backend(vector: dict[str, Any]) -> FakeBackend:
    """``testid`` as the vector used it: an STS key when the vector carries a token."""
    backend = FakeBackend()
    key = backend.keys["testid"]
    backend.add(replace(key, security_token=vector["security_token"]))
    return backend


def _verify(vector: dict[str, Any], request: IncomingRequest) -> None:
    Verifier(_backend(vector), EmulatorOptions.replay()).authenticate(request)


def _signed_names(request: IncomingRequest) -> list[str]:
    return parse_authorization(request.header("authorization") or "")[2]


def _code(vector: dict[str, Any], request: IncomingRequest) -> str:
    with pytest.raises(EmulatorError) as caught:
        _verify(vector, request)
    return caught.value.code


def _flip(text: str) -> str:
    return ("Y" if text[:1] == "Z" else "Z") + text[1:]


@pytest.mark.parametrize("name", NAMES)
def test_vector_verifies(shared_dir: Path, name: str) -> None:
    vector = _load(shared_dir, name)
    _verify(vector, _incoming(vector))


@pytest.mark.parametrize("name", NAMES)
def test_any_signed_header_change_fails(shared_dir: Path, name: str) -> None:
    vector = _load(shared_dir, name)
    request = _incoming(vector)
    for signed in _signed_names(request):
        headers = [(k, _flip(v) if k.lower() == signed else v) for k, v in request.headers]
        assert _code(vector, replace(request, headers=headers)) == "SignatureDoesNotMatch", signed


@pytest.mark.parametrize("name", NAMES)
def test_any_query_value_change_fails(shared_dir: Path, name: str) -> None:
    vector = _load(shared_dir, name)
    request = _incoming(vector)
    for index in range(len(request.query)):
        query = [(k, _flip(v) if i == index else v) for i, (k, v) in enumerate(request.query)]
        assert _code(vector, replace(request, query=query)) == "SignatureDoesNotMatch"
    extra = [*request.query, ("MaxItems", "1")]
    assert _code(vector, replace(request, query=extra)) == "SignatureDoesNotMatch"


def _each_char(text: str) -> list[str]:
    """``text`` with each character in turn replaced by another printable one."""
    return [text[:i] + ("Y" if c == "Z" else "Z") + text[i + 1:] for i, c in enumerate(text)]


def _every_signed_byte_altered(request: IncomingRequest) -> list[IncomingRequest]:
    """One request per signed character: method, path, each query name and value, each
    signed header value, each body byte."""
    variants = [replace(request, method=m) for m in ("GET", "PUT") if m != request.method]
    variants += [replace(request, path=p) for p in _each_char(request.path)]
    for index, (key, value) in enumerate(request.query):
        for new_key in _each_char(key):
            variants.append(replace(request, query=[*request.query[:index], (new_key, value),
                                                    *request.query[index + 1:]]))
        for new_value in _each_char(value):
            variants.append(replace(request, query=[*request.query[:index], (key, new_value),
                                                    *request.query[index + 1:]]))
    signed = set(_signed_names(request))
    for index, (name, value) in enumerate(request.headers):
        if name.lower() in signed:
            variants += [replace(request, headers=[*request.headers[:index], (name, altered),
                                                   *request.headers[index + 1:]])
                         for altered in _each_char(value)]
    for index in range(len(request.body)):
        body = bytearray(request.body)
        body[index] ^= 0x01
        variants.append(replace(request, body=bytes(body)))
    return variants


@pytest.mark.parametrize("name", NAMES)
def test_every_signed_byte_matters(shared_dir: Path, name: str) -> None:
    """Exhaustive: no character the signature covers can change and still verify."""
    vector = _load(shared_dir, name)
    variants = _every_signed_byte_altered(_incoming(vector))
    assert len(variants) > 100
    for variant in variants:
        assert _code(vector, variant) == "SignatureDoesNotMatch", variant


def test_body_change_fails(shared_dir: Path) -> None:
    vector = _load(shared_dir, "vector_6")
    request = _incoming(vector)
    body = bytearray(request.body)
    body[-1] ^= 0x01
    assert _code(vector, replace(request, body=bytes(body))) == "SignatureDoesNotMatch"


def test_special_characters_decode_identically(shared_dir: Path) -> None:
    """Vectors 3 and 5 encode the same Marker differently; both decode to one canonical form."""
    sync, async_ = (_incoming(_load(shared_dir, n)) for n in ("vector_3", "vector_5"))
    assert canonical_query(sync.query) == canonical_query(async_.query)
    assert dict(sync.query)["Marker"] == "a b+c/d=e*f~gé中"


async def _replay(url: str, vector: dict[str, Any], mutate: str | None = None) -> tuple[int, Any]:
    r = vector["request"]
    target, body = r["target"], r["body"].encode("latin-1")
    headers = CIMultiDict((k, v) for k, v in r["headers"] if k.lower() != "content-length")
    if mutate == "query":
        target = target.replace("MaxItems=2", "MaxItems=3")
    elif mutate == "header":
        headers["user-agent"] = headers["user-agent"] + "x"
    elif mutate == "body":
        body = body.replace(b"x+y", b"x+z")
    async with (
        aiohttp.ClientSession(auto_decompress=False) as session,
        session.request(r["method"], URL(url + target, encoded=True), headers=headers,
                        data=body) as response,
    ):
        return response.status, await response.json()


@pytest.mark.parametrize("name", NAMES)
async def test_vector_replays_over_http(shared_dir: Path, name: str) -> None:
    vector = _load(shared_dir, name)
    async with running_emulator(None, EmulatorOptions.replay(), backend=_backend(vector),
                                dispatch=fake_dispatch, implemented=IMPLEMENTED) as emu:
        status, body = await _replay(emu.url, vector)
    assert status == 200, body
    assert body["Action"] == _incoming(vector).header("x-acs-action")


@pytest.mark.parametrize(("name", "mutate"), [("vector_1", "query"), ("vector_1", "header"),
                                              ("vector_4", "header"), ("vector_6", "body")])
async def test_mutated_replay_fails(shared_dir: Path, name: str, mutate: str) -> None:
    vector = _load(shared_dir, name)
    async with running_emulator(None, EmulatorOptions.replay(), backend=_backend(vector),
                                dispatch=fake_dispatch, implemented=IMPLEMENTED) as emu:
        status, body = await _replay(emu.url, vector, mutate)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_resolved_key_shape_is_the_seam() -> None:
    """The fake honours the committed seam (a guard against drifting from identity.py)."""
    key = FakeBackend().resolve_access_key("testid")
    assert isinstance(key, ResolvedKey) and key.caller.kind == "root"
