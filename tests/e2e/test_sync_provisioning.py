"""Grant and revoke through ``run.grant``/``run.revoke`` against the emulator, looked up in a
synced c1z; idempotent answers carry GrantAlreadyExists / GrantAlreadyRevoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantAlreadyExists, GrantAlreadyRevoked
from baton_alibaba_cloud.connector import run
from baton_alibaba_cloud.connector.provisioning import ProvisioningError
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.e2e.test_sync_sample import config_for

UID = "5123456789012345"
GROUP_MEMBER = f"group:acs:ram::{UID}:group/operations:member"
IVAN = f"acs:ram::{UID}:user/ivan"
POLICY = "policy:acs:ram::system:policy/ReadOnlyAccess:attached"


async def test_grant_revoke_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.c1z"
    async with running_emulator(None) as emu:
        config = config_for(emu, provisioning=True)
        await run.sync(config, path)
        made = await run.grant(config, path, GROUP_MEMBER, "user", IVAN)
        assert made.grant.id == f"{GROUP_MEMBER}:user:{IVAN}" and made.annotations
        again = await run.grant(config, path, GROUP_MEMBER, "user", IVAN)
        assert isinstance(again.annotations[0], GrantAlreadyExists)
        attached = await run.grant(config, path, POLICY, "user", IVAN)
        assert attached.grant.id.endswith(f":user:{IVAN}")
        await run.sync(config, path)
        await run.revoke(config, path, f"{GROUP_MEMBER}:user:{IVAN}")
        gone = await run.revoke(config, path, f"{GROUP_MEMBER}:user:{IVAN}")
        assert isinstance(gone.annotations[0], GrantAlreadyRevoked)
        with pytest.raises(ProvisioningError, match="not provisionable"):
            await run.grant(config, path, f"role:acs:ram::{UID}:role/admin-role:assume",
                            "user", IVAN)
        with pytest.raises(ProvisioningError, match="provisioning is off"):
            await run.grant(config_for(emu), path, GROUP_MEMBER, "user", IVAN)
