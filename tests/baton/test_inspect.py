"""The inspect tables and their JSON rows, on the Go fixture and on a file we write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from baton_alibaba_cloud.baton import inspect
from baton_alibaba_cloud.baton import types as t
from baton_alibaba_cloud.baton.c1z import C1zReader, C1zWriter
from baton_alibaba_cloud.baton.pb.resource_pb2 import ResourceType

EXPANDED = Path("fixtures/baton-sdk/sync.36zfOAoWMxQdISbixanQCRBiX7E.expanded.c1z")


def _console() -> Console:
    return Console(record=True, width=200, color_system=None)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    out = tmp_path / "sync.c1z"
    account_t = t.resource_type("account", "Account", [ResourceType.TRAIT_APP])
    user_t = t.resource_type("user", "User", [ResourceType.TRAIT_USER])
    group_t = t.resource_type("group", "Group", [ResourceType.TRAIT_GROUP])
    account = t.resource(account_t, "123", "Acme", annotations=[t.app_trait()])
    user = t.resource(user_t, "u1", "Alice", parent=account, annotations=[t.user_trait()])
    group = t.resource(group_t, "g1", "Admins", parent=account, annotations=[t.group_trait()])
    member = t.assignment_entitlement(group, "member", "Admins Member", None, [user_t])
    with C1zWriter.open(out) as w:
        w.put_resource_types([account_t, user_t, group_t])
        w.put_resources([account, user, group])
        w.put_entitlements([member])
        w.put_grants([t.grant(member, user)])
        w.commit()
    return out


def test_tables_on_our_file(small: Path) -> None:
    console = _console()
    with C1zReader.open(small) as r:
        inspect.render_resource_types(r, console)
        inspect.render_resources(r, console, "user")
        inspect.render_entitlements(r, console)
        inspect.render_grants(r, console)
        inspect.render_stats(r, console)
    text = console.export_text()
    for expected in ("TRAIT_USER", "Parent Resource", "Acme (account)", "Permission",
                     "group:g1:member:user:u1", "Admins Member", "Alice", "grants", "direct"):
        assert expected in text


def test_json_rows(small: Path) -> None:
    console = _console()
    with C1zReader.open(small) as r:
        inspect.render_grants(r, console, output_format="json")
        assert inspect.resource_rows(r, "group") == [
            {"id": "g1", "display_name": "Admins", "resource_type": "group",
             "parent_resource": "Acme (account)"}
        ]
        stats = inspect.stats_rows(r)
    assert json.loads(console.export_text()) == [
        {"resource_type": "group", "resource_id": "g1", "resource": "Admins",
         "entitlement": "member", "entitlement_id": "group:g1:member",
         "principal_type": "user", "principal_id": "u1", "principal": "Alice",
         "held": "direct", "via": [], "id": "group:g1:member:user:u1"}
    ]
    assert stats["resources_by_type"] == {"account": 1, "group": 1, "user": 1}
    assert (stats["entitlements"], stats["grants"]) == (1, 1)


def test_rows_on_the_go_fixture(shared_dir: Path) -> None:
    with C1zReader.open(shared_dir / EXPANDED) as r:
        assert len(inspect.resource_type_rows(r)) == 4
        assert len(inspect.entitlement_rows(r, "project")) > 0
        rows = inspect.grant_rows(r, entitlement_id="project:project-0000099:owner")
        assert rows and all(row["resource_type"] and row["principal"] for row in rows)
        assert len(inspect.grant_rows(r)) == 14981


def test_bad_arguments(small: Path) -> None:
    with C1zReader.open(small) as r:
        assert [row["id"] for row in inspect.grant_rows(r, resource_id="g1")] == [
            "group:g1:member:user:u1"
        ]
        assert inspect.grant_rows(r, resource_id="nope") == []
        with pytest.raises(ValueError, match="output format"):
            inspect.render_stats(r, _console(), output_format="xml")  # type: ignore[arg-type]


def test_show_dispatches_every_view(small: Path) -> None:
    console = _console()
    for what in ("resource-types", "resources", "entitlements", "grants", "stats"):
        inspect.show(small, what, "json", console=console, resource_type="group")
    assert '"Admins Member"' in console.export_text()
    with pytest.raises(ValueError, match="unknown inspect view"):
        inspect.show(small, "nope", console=console)


def test_access_view_is_the_tree_with_paths(small: Path) -> None:
    """``inspect access`` is ``baton.access``: each entitlement with how it is held."""
    console = _console()
    inspect.show(small, "access", console=console, principal_type="user", principal="u1")
    text = console.export_text()
    assert "Effective access for Alice (user)" in text
    assert "member  direct" in text
    inspect.show(small, "access", "json", console=console, principal_type="user", principal="u1")
    data = json.loads(console.export_text())
    assert data["principal"] == {"type": "user", "id": "u1", "display_name": "Alice"}
    [group] = data["resources"]
    assert group["display_name"] == "Admins"
    assert [(e["slug"], e["direct"], [p["label"] for p in e["paths"]])
            for e in group["entitlements"]] == [("member", True, ["direct"])]


def test_ram_arns_are_shown_literally(tmp_path: Path) -> None:
    """``acs:ram::…`` contains ``:ram:``, an emoji code, and ``[x]`` is markup: neither may be
    interpreted in the tables or in the access tree."""
    out = tmp_path / "arn.c1z"
    user_id = "acs:ram::5123456789012345:user/alice"
    group_id = "acs:ram::5123456789012345:group/[dev]"
    user = t.resource("user", user_id, "Alice", annotations=[t.user_trait()])
    group = t.resource("group", group_id, "[bold]dev[/]", annotations=[t.group_trait()])
    member = t.assignment_entitlement(group, "member")
    with C1zWriter.open(out) as w:
        w.put_resources([user, group])
        w.put_entitlements([member])
        w.put_grants([t.grant(member, user)])
        w.commit()
    console = _console()
    inspect.show(out, "grants", console=console)
    inspect.show(out, "access", console=console, principal_type="user", principal=user_id)
    text = console.export_text()
    assert f"group:{group_id}:member:user:{user_id}" in text
    assert "\N{RAM}" not in text
    assert "[bold]dev[/] (group)" in text
