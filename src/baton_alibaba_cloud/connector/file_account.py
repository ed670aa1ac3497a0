"""One Alibaba Cloud account per c1z file.

Why: a c1z keeps the previous full sync so that ``baton diff`` can say what changed. If the
previous sync is of account A and the new one of account B, every resource of both reads as
added or removed, and a reviewer is shown a meaningless diff (or, worse, the demo's sample
account lands in the file of the real one). The account of a sync is the ``account`` resource
the connector already writes for it (the one whose profile is not ``external``), so the file
needs no new record that the ``baton`` tools would have to tolerate.

``check_one_account`` runs on the writer's working copy once the credentials have said which
account they belong to, and before any resource is listed: a refusal leaves the target file
byte-identical (the writer aborts). ``--new-file`` drops the earlier syncs instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from baton_alibaba_cloud.baton.c1z.history import (
    forget_other_syncs,
    previous_sync,
    previous_sync_resources,
)
from baton_alibaba_cloud.baton.c1z.writer import C1zWriter
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import AppTrait
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.types import unpack_annotation
from baton_alibaba_cloud.connector import ids

__all__ = ["AccountMismatchError", "check_one_account", "own_accounts"]

log = logging.getLogger(__name__)


class AccountMismatchError(Exception):
    """The file holds another account's sync; ``str()`` is the one line to print."""


def check_one_account(writer: C1zWriter, uid: str, path: Path, *, new_file: bool) -> None:
    """Refuse a sync of ``uid`` into a file whose previous sync is of another account (or of
    no Alibaba Cloud account); with ``new_file`` forget the earlier syncs instead."""
    con = writer.connection
    if new_file:
        dropped = forget_other_syncs(con, writer.sync_id)
        if dropped:
            log.info("--new-file: %d earlier sync(s) of %s dropped", dropped, path,
                     extra={"dropped_syncs": dropped})
        return
    previous = previous_sync(con, writer.sync_id)
    if previous is None:
        return
    found = own_accounts(previous_sync_resources(con, previous, ids.ACCOUNT))
    if found == [uid]:
        return
    held = f"account {', '.join(found)}" if found else "no Alibaba Cloud account"
    raise AccountMismatchError(
        f"{path} holds a sync of {held}, and these credentials are of account {uid}: one "
        f"account per file, so that a diff compares like with like; choose another --file, "
        f"or pass --new-file to start {path} afresh (its earlier syncs are dropped)")


def own_accounts(accounts: list[Resource]) -> list[str]:
    """The ids of the synced account(s) among ``account`` resources (not the external
    accounts that roles trust), sorted."""
    own = []
    for res in accounts:
        trait = unpack_annotation(res.annotations, AppTrait)
        external = trait.profile.fields.get("external") if trait is not None else None
        if external is None or not external.bool_value:
            own.append(res.id.resource)
    return sorted(own)
