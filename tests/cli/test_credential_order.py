"""docs/model.md §1's order: the flag pair, else --profile, else the default chain (environment,
OIDC, CLI profile, ECS role); --role-arn wraps whichever base was chosen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton_alibaba_cloud.alibaba import AssumeRoleProvider, EnvironmentProvider
from baton_alibaba_cloud.alibaba._credentials import ChainProvider
from baton_alibaba_cloud.alibaba._profile import ProfileProvider, _EcsChainStep
from baton_alibaba_cloud.alibaba._sts_providers import OidcEnvProvider
from baton_alibaba_cloud.connector.config import ConnectorConfig, build_credentials


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME whose CLI configuration has a current profile, and the environment pair set."""
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"current": "cur", "profiles": [
        {"name": "cur", "mode": "AK", "access_key_id": "cur-id", "access_key_secret": "s1"},
        {"name": "named", "mode": "AK", "access_key_id": "named-id", "access_key_secret": "s2"},
    ]}))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
    monkeypatch.delenv("ALIBABA_CLOUD_PROFILE", raising=False)
    return tmp_path


async def test_flags_then_profile_then_the_default_chain(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    flags = build_credentials(ConnectorConfig(access_key_id="flag-id", access_key_secret="x"))
    assert (await flags.get()).access_key_id == "flag-id" and flags.source == "flags"
    named = build_credentials(ConnectorConfig(profile="named"))
    assert (await named.get()).access_key_id == "named-id" and named.source == "profile:named"
    chain = build_credentials(ConnectorConfig())
    assert isinstance(chain, ChainProvider)
    assert [type(p) for p in chain._providers] == [
        EnvironmentProvider, OidcEnvProvider, ProfileProvider, _EcsChainStep]
    assert (await chain.get()).access_key_id == "env-id" and chain.source == "environment"
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    current = build_credentials(ConnectorConfig())
    assert (await current.get()).access_key_id == "cur-id" and current.source == "profile:cur"
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "named")
    by_env = build_credentials(ConnectorConfig())
    assert (await by_env.get()).access_key_id == "named-id"


def test_role_arn_wraps_the_chosen_base(home: Path) -> None:
    role = "acs:ram::1:role/sync"
    provider = build_credentials(ConnectorConfig(
        access_key_id="flag-id", access_key_secret="x", role_arn=role,
        role_session_name="baton", external_id="ext", role_session_duration=900))
    assert isinstance(provider, AssumeRoleProvider)
    assert provider.source == f"assume-role:{role} via flags"
    assert (provider._session_name, provider._external_id, provider._duration) == (
        "baton", "ext", 900)
    with pytest.raises(ValueError, match="900 to 43200"):
        ConnectorConfig(role_arn=role, role_session_duration=600)
