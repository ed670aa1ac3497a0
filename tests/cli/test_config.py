"""``config`` and ``capabilities`` print what baton-sdk's own files hold: the protojson of
``c1.config.v1.Configuration`` and of ``c1.connector.v2.ConnectorCapabilities``, which a strict
protojson parser (unknown keys refused) accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

from baton_alibaba_cloud.baton.pb.connector_pb2 import ConnectorCapabilities
from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.cli._fields import CONSTRAINTS, FIELDS
from baton_alibaba_cloud.cli._schema import exported
from baton_alibaba_cloud.connector.permissions import enabled_features, required_permissions
from baton_alibaba_cloud.connector.resource_types import RESOURCE_TYPES

F = descriptor_pb2.FieldDescriptorProto
# baton-sdk proto/c1/config/v1/{config,rules}.proto: the messages and fields `config` may use,
# with their numbers. (name, number, type, repeated, message or enum type, in the oneof)
_CONFIG: dict[str, list[tuple[str, int, int, bool, str, bool]]] = {
    "Configuration": [("fields", 1, F.TYPE_MESSAGE, True, "Field", False),
                      ("constraints", 2, F.TYPE_MESSAGE, True, "Constraint", False),
                      ("display_name", 3, F.TYPE_STRING, False, "", False),
                      ("help_url", 4, F.TYPE_STRING, False, "", False),
                      ("icon_url", 5, F.TYPE_STRING, False, "", False)],
    "Constraint": [("kind", 1, F.TYPE_ENUM, False, "ConstraintKind", False),
                   ("field_names", 2, F.TYPE_STRING, True, "", False),
                   ("secondary_field_names", 3, F.TYPE_STRING, True, "", False)],
    "Field": [("name", 1, F.TYPE_STRING, False, "", False),
              ("display_name", 2, F.TYPE_STRING, False, "", False),
              ("description", 3, F.TYPE_STRING, False, "", False),
              ("placeholder", 4, F.TYPE_STRING, False, "", False),
              ("is_required", 5, F.TYPE_BOOL, False, "", False),
              ("is_ops", 6, F.TYPE_BOOL, False, "", False),
              ("is_secret", 7, F.TYPE_BOOL, False, "", False),
              ("string_field", 100, F.TYPE_MESSAGE, False, "StringField", True),
              ("int_field", 101, F.TYPE_MESSAGE, False, "IntField", True),
              ("bool_field", 102, F.TYPE_MESSAGE, False, "BoolField", True)],
    "StringField": [("default_value", 1, F.TYPE_STRING, False, "", False),
                    ("rules", 2, F.TYPE_MESSAGE, False, "StringRules", False)],
    "IntField": [("default_value", 1, F.TYPE_INT64, False, "", False),
                 ("rules", 2, F.TYPE_MESSAGE, False, "Int64Rules", False)],
    "BoolField": [("default_value", 1, F.TYPE_BOOL, False, "", False)],
    "StringRules": [("in", 10, F.TYPE_STRING, True, "", False)],
    "Int64Rules": [("lte", 3, F.TYPE_INT64, False, "", False),
                   ("gte", 5, F.TYPE_INT64, False, "", False)],
}
_KINDS = ["CONSTRAINT_KIND_UNSPECIFIED", "CONSTRAINT_KIND_REQUIRED_TOGETHER",
          "CONSTRAINT_KIND_AT_LEAST_ONE", "CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE",
          "CONSTRAINT_KIND_DEPENDENT_ON"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _configuration() -> Message:
    """An empty ``c1.config.v1.Configuration`` built from the field table above."""
    proto = descriptor_pb2.FileDescriptorProto(name="baton_test_config.proto",
                                               package="c1.config.v1", syntax="proto3")
    kind = proto.enum_type.add(name="ConstraintKind")
    for number, name in enumerate(_KINDS):
        kind.value.add(name=name, number=number)
    for message, fields in _CONFIG.items():
        m = proto.message_type.add(name=message)
        if any(oneof for *_, oneof in fields):
            m.oneof_decl.add(name="field")
        for name, number, ftype, repeated, ref, oneof in fields:
            f = m.field.add(name=name, number=number, type=ftype, json_name=_camel(name),
                            label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
            if ref:
                f.type_name = f".c1.config.v1.{ref}"
            if oneof:
                f.oneof_index = 0
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("c1.config.v1.Configuration"))
    return cls()


@pytest.fixture(scope="module")
def config_doc() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_config_is_a_baton_configuration_message(config_doc: dict[str, Any]) -> None:
    parsed = json_format.ParseDict(config_doc, _configuration())  # refuses unknown keys
    assert json_format.MessageToDict(parsed) == config_doc


def test_config_lists_the_connector_fields_with_defaults_and_secrets(
    config_doc: dict[str, Any],
) -> None:
    fields = {f["name"]: f for f in config_doc["fields"]}
    assert list(fields) == [f.name for f in FIELDS if exported(f)]
    for cli_only in ("file", "provisioning", "grant-entitlement", "revoke-grant", "log-format",
                     "ecs-metadata-url"):
        assert cli_only not in fields
    for f in fields.values():
        assert f["displayName"] and f["description"]
        assert sum(k in f for k in ("stringField", "boolField", "intField")) == 1
    assert fields["access-key-secret"]["isSecret"] is True
    assert fields["security-token"]["isSecret"] is True
    assert "isSecret" not in fields["access-key-id"]
    # no default in the schema: unset, a service follows --endpoint, else its public host
    for name in ("endpoint", "ram-endpoint", "resource-manager-endpoint"):
        assert fields[name]["stringField"] == {}
    assert fields["sync-secrets"]["boolField"] == {}
    assert fields["role-session-duration"]["intField"] == {
        "defaultValue": "3600", "rules": {"gte": "900", "lte": "43200"}}
    assert fields["log-level"]["stringField"]["rules"] == {"in": ["debug", "info", "warn",
                                                                   "error"]}
    assert fields["log-level"]["isOps"] is True
    assert config_doc["displayName"] == "Alibaba Cloud"


def test_config_constraints_name_only_listed_fields(config_doc: dict[str, Any]) -> None:
    names = {f["name"] for f in config_doc["fields"]}
    for c in config_doc["constraints"]:
        assert set(c["fieldNames"] + c.get("secondaryFieldNames", [])) <= names
    assert {"kind": "CONSTRAINT_KIND_REQUIRED_TOGETHER",
            "fieldNames": ["access-key-id", "access-key-secret"]} in config_doc["constraints"]
    assert {"kind": "CONSTRAINT_KIND_DEPENDENT_ON", "fieldNames": ["security-token"],
            "secondaryFieldNames": ["access-key-id"]} in config_doc["constraints"]
    assert len(config_doc["constraints"]) == sum(
        all(exported(f) for f in FIELDS if f.name in c.fields + c.secondary) for c in CONSTRAINTS)


def test_capabilities_is_a_connector_capabilities_message() -> None:
    result = CliRunner().invoke(cli, ["capabilities"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc.pop("@type") == "type.googleapis.com/c1.connector.v2.ConnectorCapabilities"
    parsed = json_format.ParseDict(doc, ConnectorCapabilities())  # refuses unknown keys
    assert json_format.MessageToDict(parsed) == doc
    by_id = {c["resourceType"]["id"]: c for c in doc["resourceTypeCapabilities"]}
    assert list(by_id) == sorted(spec.id for spec in RESOURCE_TYPES)
    assert set(doc["connectorCapabilities"]) == {
        "CAPABILITY_SYNC", "CAPABILITY_PROVISION", "CAPABILITY_SYNC_SECRETS"}
    assert "CAPABILITY_PROVISION" in by_id["group"]["capabilities"]
    assert "CAPABILITY_SYNC_SECRETS" in by_id["access_key"]["capabilities"]
    declared = {p["permission"] for c in by_id.values()
                for p in c.get("permissions", {}).get("permissions", [])}
    assert declared == set(required_permissions(
        enabled_features(sync_secrets=True, provisioning=True)))
