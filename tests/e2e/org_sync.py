"""One organization sync into a file, for module fixtures: the emulator serving ``data`` in
this process, the management account's administrator key of tests/emulator/org_account.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.connector.config import ConnectorConfig
from baton_alibaba_cloud.connector.org_run import OrgOptions, OrgReport, sync_organization
from baton_alibaba_cloud.emulator.options import EmulatorOptions
from baton_alibaba_cloud.emulator.server import running_emulator
from tests.emulator import org_account as org


def sync_org_file(data: dict[str, Any], path: Path, options: EmulatorOptions) -> OrgReport:
    """Sync the organization ``data`` into ``path`` (two members in flight)."""
    async def run() -> OrgReport:
        async with running_emulator(data, options) as emu:
            config = ConnectorConfig(access_key_id=org.ADMIN_KEY[0],
                                     access_key_secret=org.ADMIN_KEY[1], endpoint=emu.url)
            return await sync_organization(config, path, OrgOptions(max_accounts_in_flight=2))
    return asyncio.run(run())
