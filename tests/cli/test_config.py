"""``config``: the configuration schema JSON, generated from the field table."""

from __future__ import annotations

import json

from click.testing import CliRunner

from baton_alibaba_cloud.cli import cli
from baton_alibaba_cloud.cli._fields import CONSTRAINTS, FIELDS


def test_config_lists_every_field_with_type_default_secret_and_env(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["config"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    fields = {f["name"]: f for f in doc["fields"]}
    assert list(fields) == [f.name for f in FIELDS]
    for f in fields.values():
        assert f["displayName"] and f["description"]
        assert f["envVar"] == "BATON_" + f["name"].upper().replace("-", "_")
        assert sum(k in f for k in ("stringField", "boolField", "intField")) == 1
    assert fields["access-key-secret"]["isSecret"] is True
    assert fields["security-token"]["isSecret"] is True
    assert "isSecret" not in fields["access-key-id"]
    assert fields["file"]["stringField"] == {"defaultValue": "sync.c1z"}
    assert fields["ram-endpoint"]["stringField"] == {"defaultValue": "ram.aliyuncs.com"}
    assert fields["sync-secrets"]["boolField"] == {}
    assert fields["log-level"]["stringField"]["rules"] == {"in": ["debug", "info", "warn",
                                                                   "error"]}
    assert doc["displayName"] == "Alibaba Cloud"


def test_config_constraints(runner: CliRunner) -> None:
    doc = json.loads(runner.invoke(cli, ["config"]).stdout)
    assert len(doc["constraints"]) == len(CONSTRAINTS)
    assert {"kind": "CONSTRAINT_KIND_REQUIRED_TOGETHER",
            "fieldNames": ["access-key-id", "access-key-secret"]} in doc["constraints"]
    assert {"kind": "CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE",
            "fieldNames": ["grant-entitlement", "revoke-grant"]} in doc["constraints"]
    assert {"kind": "CONSTRAINT_KIND_DEPENDENT_ON", "fieldNames": ["security-token"],
            "secondaryFieldNames": ["access-key-id"]} in doc["constraints"]
