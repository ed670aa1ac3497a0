"""Whether an organization sync includes CloudSSO, and its syncers when it does.

``--cloudsso`` is on by default in organization mode when ListDirectories finds a directory in
the CloudSSO region; ``--no-cloudsso`` turns it off. A refused ListDirectories, or an explicit
``--cloudsso`` that finds no directory, is marked on the management account (one warning names
the action and the permission to grant) and the rest of the organization is synced all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from baton_alibaba_cloud.alibaba import PermissionDeniedError
from baton_alibaba_cloud.baton.builder import ResourceSyncer
from baton_alibaba_cloud.connector._context import Context
from baton_alibaba_cloud.connector.cloudsso import (
    UNAVAILABLE,
    CloudSso,
    DirectorySyncer,
    SsoApi,
    SsoGroupSyncer,
    SsoUserSyncer,
    find_directory,
    unavailable,
)
from baton_alibaba_cloud.connector.cloudsso_access import (
    AccessAssignmentSyncer,
    AccessConfigurationSyncer,
)
from baton_alibaba_cloud.connector.config import CLOUDSSO_REGIONS

__all__ = ["cloudsso_syncers"]

log = logging.getLogger(__name__)


async def cloudsso_syncers(api: SsoApi, management: Context, wanted: bool | None, region: str,
                           accounts: Mapping[str, str], synced: Callable[[str], bool]
                           ) -> list[ResourceSyncer]:
    """The CloudSSO syncers (none when off, refused or absent); ``accounts`` are the
    organization's accounts in this file (uid → display name)."""
    if wanted is False:
        return []
    try:
        directory = await find_directory(api, management.uid, region)
    except PermissionDeniedError as exc:
        management.unavailable[UNAVAILABLE] = unavailable(exc)
        return []
    if directory is None:
        other = next(r for r in CLOUDSSO_REGIONS if r != region)
        if wanted:
            management.unavailable[UNAVAILABLE] = (
                f"has no directory in {region} (ListDirectories found none; if it lives in "
                f"{other}, pass --cloudsso-region {other})")
        else:
            log.info("CloudSSO: no directory in %s; synced without CloudSSO (pass "
                     "--cloudsso-region %s if it lives there)", region, other)
        return []
    log.info("CloudSSO: directory %s (%s) in %s", directory.directory_id, directory.name,
             directory.region)
    sso = CloudSso(api, directory, dict(accounts))
    return [DirectorySyncer(sso), SsoUserSyncer(sso), SsoGroupSyncer(sso),
            AccessConfigurationSyncer(sso), AccessAssignmentSyncer(sso, synced)]
