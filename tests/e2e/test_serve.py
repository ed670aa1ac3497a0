"""``baton-alibaba-cloud serve``: baton's connector services over gRPC, answered from one
snapshot per sync session, against the emulator's sample account.

The listings are compared with a native sync of the same account: the same resources and
entitlements, and the grants as the connector found them (before expansion), each expandable
one with its ``GrantExpandable`` annotation."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.json_format import MessageToDict

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb import connector_pb2 as c
from baton_alibaba_cloud.baton.pb import entitlement_pb2 as e
from baton_alibaba_cloud.baton.pb import grant_pb2 as g
from baton_alibaba_cloud.baton.pb import resource_pb2 as r
from baton_alibaba_cloud.baton.pb.annotations_pb2 import (
    GrantExpandable,
    GrantImmutable,
    SkipEntitlementsAndGrants,
    TypeScopedEntitlements,
    TypeScopedGrants,
)
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.connector.permissions import capabilities
from baton_alibaba_cloud.emulator.server import RunningEmulator
from tests.e2e.cli_helpers import emulator
from tests.e2e.serve_helpers import Client, resource_of, served
from tests.e2e.test_sync_sample import config_for

UID = "5123456789012345"
OPERATIONS = f"acs:ram::{UID}:group/operations"
IVAN = f"acs:ram::{UID}:user/ivan"
EXPANDABLE = "type.googleapis.com/" + GrantExpandable.DESCRIPTOR.full_name
IMMUTABLE = "type.googleapis.com/" + GrantImmutable.DESCRIPTOR.full_name
SKIP = "type.googleapis.com/" + SkipEntitlementsAndGrants.DESCRIPTOR.full_name


def listing(client: Client, sync_id: str, size: int = 0) -> dict[str, dict[str, dict[str, Any]]]:
    """Everything the service lists for one sync, by table and id (messages as dicts)."""
    out: dict[str, dict[str, dict[str, Any]]] = {"types": {}, "resources": {},
                                                      "entitlements": {}, "grants": {}}
    types = client.pages(r.ResourceTypesServiceListResourceTypesRequest(
        active_sync_id=sync_id), size)
    for rtype in types:
        out["types"][rtype.id] = MessageToDict(rtype)
        resources = client.pages(r.ResourcesServiceListResourcesRequest(
            resource_type_id=rtype.id, active_sync_id=sync_id), size)
        for res in resources:
            out["resources"][f"{res.id.resource_type}:{res.id.resource}"] = MessageToDict(res)
            for ent in client.pages(e.EntitlementsServiceListEntitlementsRequest(
                    resource=res, active_sync_id=sync_id), size):
                out["entitlements"][ent.id] = MessageToDict(ent)
            for grant in client.pages(g.GrantsServiceListGrantsRequest(
                    resource=res, active_sync_id=sync_id), size):
                assert grant.id not in out["grants"], f"{grant.id} listed twice"
                out["grants"][grant.id] = MessageToDict(grant)
    return out


def requests(emu: RunningEmulator) -> int:
    return sum(emu.request_log.requests.values())


def test_lists_one_snapshot_per_sync_unexpanded(tmp_path: Path) -> None:
    with emulator() as emu:
        native = tmp_path / "native.c1z"
        asyncio.run(run.sync(config_for(emu), native))
        with served(emu, tmp_path) as (client, _):
            meta = client(c.ConnectorServiceGetMetadataRequest()).metadata
            assert meta.display_name == "Alibaba Cloud"
            assert meta.capabilities == capabilities()
            # 0.4.3 or later, or baton-sdk's syncer does not name its sync in requests
            assert client(c.ConnectorServiceValidateRequest()).sdk_version == "0.26.0"
            small = listing(client, "sync-1", size=2)
            before = requests(emu)
            whole = listing(client, "sync-1")
            assert requests(emu) == before, "a list call of the same sync called the API"
            assert whole == small
            other = listing(client, "sync-2")
            assert requests(emu) > before, "a new sync session did not take a new snapshot"
            assert other == whole
    with C1zReader.open(native) as reader:
        skipped = {t.id for t in reader.resource_types()
                   if any(a.type_url == SKIP for a in t.annotations)}
        holding = {x.resource.id.resource_type for x in reader.entitlements()}
        assert skipped and not holding & skipped
        assert whole["types"] == {t.id: MessageToDict(t) for t in reader.resource_types()}
        assert whole["resources"] == {f"{x.id.resource_type}:{x.id.resource}": MessageToDict(x)
                                      for x in reader.resources()}
        assert whole["entitlements"] == {x.id: MessageToDict(x) for x in reader.entitlements()}
        stored = {x.id: x for x in reader.grants(with_expansion=True)}
    served_ids = set(whole["grants"])
    # What expansion added is not served; what the connector found is, without sources.
    assert served_ids <= set(stored)
    added = {gid for gid, grant in stored.items()
             if any(a.type_url == IMMUTABLE for a in grant.annotations)}
    assert served_ids == set(stored) - added and added
    expandable = {gid for gid, grant in stored.items()
                  if any(a.type_url == EXPANDABLE for a in grant.annotations)}
    assert expandable and {gid for gid, grant in whole["grants"].items()
                           if any(a["@type"] == EXPANDABLE
                                  for a in grant.get("annotations", []))} == expandable
    assert not any("sources" in grant for grant in whole["grants"].values())


def test_page_token_of_an_earlier_snapshot_is_refused(tmp_path: Path) -> None:
    with emulator() as emu, served(emu, tmp_path) as (client, _):
        first = client(r.ResourcesServiceListResourcesRequest(
            resource_type_id="user", page_size=2, active_sync_id="a"))
        assert first.next_page_token
        client(r.ResourcesServiceListResourcesRequest(resource_type_id="user",
                                                      active_sync_id="b"))
        client(c.ConnectorServiceCleanupRequest(active_sync_id="a"))
        with pytest.raises(grpc.RpcError) as caught:
            client(r.ResourcesServiceListResourcesRequest(
                resource_type_id="user", page_size=2, page_token=first.next_page_token,
                active_sync_id="b"))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "restart the listing" in str(caught.value.details())


def type_scoped(client: Client, sync_id: str, size: int) -> dict[str, dict[str, Any]]:
    """The entitlements and grants of every type declared type-scoped, asked for as baton-sdk's
    syncer does: a stub resource naming only the type, the marker in the annotations."""
    out: dict[str, dict[str, Any]] = {"entitlements": {}, "grants": {}}
    for rtype in client.pages(r.ResourceTypesServiceListResourceTypesRequest(
            active_sync_id=sync_id)):
        marks = {a.type_url.rsplit(".", 1)[-1] for a in rtype.annotations}
        if not {"TypeScopedEntitlements", "TypeScopedGrants"} <= marks:
            assert "SkipEntitlementsAndGrants" in marks, rtype.id
            continue
        stub = resource_of(rtype.id, rtype.id)
        ents = e.EntitlementsServiceListEntitlementsRequest(resource=stub, active_sync_id=sync_id)
        ents.annotations.add().Pack(TypeScopedEntitlements())
        grants = g.GrantsServiceListGrantsRequest(resource=stub, active_sync_id=sync_id)
        grants.annotations.add().Pack(TypeScopedGrants())
        for ent in client.pages(ents, size):
            out["entitlements"][ent.id] = MessageToDict(ent)
        for grant in client.pages(grants, size):
            assert grant.id not in out["grants"], f"{grant.id} listed twice"
            out["grants"][grant.id] = MessageToDict(grant)
    return out


def test_type_scoped_listing_equals_the_per_resource_one(tmp_path: Path) -> None:
    with emulator() as emu, served(emu, tmp_path) as (client, _):
        per_resource = listing(client, "s")
        assert per_resource["grants"] and per_resource["entitlements"]
        whole = {k: per_resource[k] for k in ("entitlements", "grants")}
        assert type_scoped(client, "s", 0) == whole
        assert type_scoped(client, "s", 3) == whole


def _members(client: Client, sync_id: str) -> set[str]:
    grants = client.pages(g.GrantsServiceListGrantsRequest(
        resource=resource_of("group", OPERATIONS), active_sync_id=sync_id))
    return {grant.principal.id.resource for grant in grants}


def test_grant_and_revoke_need_provisioning(tmp_path: Path) -> None:
    entitlement_id = f"group:{OPERATIONS}:member"
    with emulator() as emu:
        with served(emu, tmp_path) as (client, _):
            ent = next(x for x in client.pages(e.EntitlementsServiceListEntitlementsRequest(
                resource=resource_of("group", OPERATIONS), active_sync_id="s")))
            assert ent.id == entitlement_id
            ivan = resource_of("user", IVAN)
            with pytest.raises(grpc.RpcError) as caught:
                client(g.GrantManagerServiceGrantRequest(entitlement=ent, principal=ivan))
            assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "provisioning is off" in str(caught.value.details())
        with served(emu, tmp_path, "-p") as (client, _):
            before = _members(client, "s1")
            assert IVAN not in before
            made = client(g.GrantManagerServiceGrantRequest(entitlement=ent, principal=ivan))
            assert [x.id for x in made.grants] == [f"{entitlement_id}:user:{IVAN}"]
            assert _members(client, "s2") == before | {IVAN}
            client(g.GrantManagerServiceRevokeRequest(grant=made.grants[0]))
            assert _members(client, "s3") == before


def test_refused_credentials_fail_in_one_line(tmp_path: Path) -> None:
    wrong = "not-the-secret-at-all-0000"
    with emulator() as emu, served(emu, tmp_path, secret=wrong) as (client, _):
        for request in (c.ConnectorServiceValidateRequest(),
                        r.ResourceTypesServiceListResourceTypesRequest(active_sync_id="x")):
            with pytest.raises(grpc.RpcError) as caught:
                client(request)
            details = str(caught.value.details())
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, details
            assert "\n" not in details and wrong not in details
            assert "Signature" in details or "AccessKey" in details, details


def test_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with emulator() as emu, served(emu, tmp_path) as (client, proc):
        client(r.ResourceTypesServiceListResourceTypesRequest(active_sync_id="x"))
        assert list(tmp_path.glob("baton-alibaba-cloud-snapshot-*"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert not (tmp_path / "serve.sock").exists()
        assert not list(tmp_path.glob("baton-alibaba-cloud-snapshot-*"))
