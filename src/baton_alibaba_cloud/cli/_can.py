"""``inspect can``: who may do an action, or may this principal do it (``connector/can.py``).

Its own module, registered on ``inspect`` with one call, so that the views of the other
``inspect`` commands stay where they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from baton_alibaba_cloud.baton.lookup import UnknownName, resolve_principal
from baton_alibaba_cloud.cli._output import emit, format_option, option
from baton_alibaba_cloud.cli._review import UnknownName as UnknownInput
from baton_alibaba_cloud.cli._review import open_file
from baton_alibaba_cloud.connector import can as evaluating

__all__ = ["register"]

_COLUMNS = ["principal_type", "principal", "answer", "path", "statements"]


def register(group: click.Group, file_option: Callable[[Any], Any]) -> None:
    """Add ``can`` to ``inspect``."""
    group.add_command(file_option(can))


@click.command()
@option("--action", required=True, help="The RAM action, e.g. ram:CreateUser or sts:AssumeRole.")
@option("--resource", default=None,
        help="The resource ARN, e.g. acs:ram:*:<uid>:user/alice (default: any resource).")
@option("--principal", default=None,
        help="Answer for this principal only: yes, no, conditional or unknown, with the statements "
             "that decide (an id, or a name only one user or role answers to).")
@option("--principal-type", default=None, type=click.Choice(["user", "role", "sso_user"]),
        help="The principal's type (default: a user, else a role, else a CloudSSO user).")
@format_option
def can(file_: Path, action: str, resource: str | None, principal: str | None,
        principal_type: str | None, output_format: str) -> None:
    """Who may do ACTION (on RESOURCE): every user and role whose policies allow it, directly,
    through a group or through a role it may assume, with the deciding statements and any
    condition; or, with --principal, yes / no / conditional / unknown (a held policy's
    document is not in the file) for that principal."""
    with open_file(file_) as reader:
        graph = evaluating.load_graph(reader)
        if principal is None:
            rows = [p.row() for p in evaluating.who_can(graph, action, resource)]
            emit(rows, output_format, columns=_COLUMNS, title=f"Who can {action}")
            return
        identity = _identity(reader, principal, principal_type)
    answer = evaluating.paths_for(graph, identity, action, resource)
    rows = [p.row() for p in answer.paths]
    data = {"principal_type": identity[0], "principal_id": identity[1], "action": action,
            "resource": resource or "*", "answer": answer.answer, "paths": rows}
    emit(rows, output_format, columns=_COLUMNS, data=data,
         title=f"{answer.answer}: {identity[1]} {action} on {resource or 'any resource'}")


def _identity(reader: Any, principal: str, principal_type: str | None) -> tuple[str, str]:
    kinds = [principal_type] if principal_type else ["user", "role", "sso_user"]
    error: UnknownName | None = None
    for kind in kinds:
        try:
            return kind, resolve_principal(reader, kind, principal)
        except UnknownName as exc:
            error = error or exc
    raise UnknownInput(str(error))
