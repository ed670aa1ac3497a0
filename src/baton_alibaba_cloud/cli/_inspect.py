"""``inspect``: read a c1z the way the ``baton`` CLI does, without Go.

The ``baton`` tool cannot be built everywhere (it needs Go >= 1.25), so the same tables and the
same joins are offered here: ``resource-types``, ``resources``, ``entitlements``, ``grants``,
``stats`` and the ``access`` tree of one principal, as console tables (whole when piped), CSV
or JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click
from click.core import ParameterSource

from baton_alibaba_cloud.baton.inspect import show
from baton_alibaba_cloud.baton.lookup import UnknownName
from baton_alibaba_cloud.baton.table import FORMATS, OutputFormat
from baton_alibaba_cloud.cli import _can, _review
from baton_alibaba_cloud.cli._fields import envvar, field

__all__ = ["inspect"]

_FILE = field("file")


def _file_option(fn: Any) -> Any:
    return click.option("-f", "--file", "file_", default=_FILE.default, show_default=True,
                        type=click.Path(dir_okay=False, path_type=Path), envvar=envvar("file"),
                        show_envvar=True, help="The c1z file to read.")(fn)


def _common(fn: Any) -> Any:
    fn = click.option("-o", "--output-format", type=click.Choice(FORMATS),
                      default="console", show_default=True, envvar=envvar("output-format"),
                      show_envvar=True,
                      help="Tables for people (printed whole when not a terminal), or csv or "
                           "json for programs.")(fn)
    return _file_option(fn)


def _show(file_: Path, output_format: str, what: str, *, resource_type: str | None = None,
          resource: str | None = None, entitlement: str | None = None,
          principal_type: str | None = None, principal: str | None = None) -> None:
    file_ = _inherited_file(file_)
    if not file_.exists():
        raise click.FileError(str(file_), "no such file; run a sync (or demo) first")
    try:
        show(file_, what, cast(OutputFormat, output_format),
             resource_type=resource_type, resource=resource, entitlement=entitlement,
             principal_type=principal_type, principal=principal)
    except UnknownName as exc:
        raise UnknownInput(str(exc)) from None


class UnknownInput(click.ClickException):
    """A type, id or name the file does not hold: a usage error (exit 2) in one line, with the
    closest valid names (no usage banner: the line says what to type instead)."""

    exit_code = 2


def _inherited_file(file_: Path) -> Path:
    """The innermost ``-f`` given explicitly (flag or ``BATON_FILE``), wherever it was typed:
    ``inspect grants -f x.c1z``, ``inspect -f x.c1z grants`` and
    ``baton-alibaba-cloud -f x.c1z inspect grants`` all read x.c1z."""
    ctx: click.Context | None = click.get_current_context()
    while ctx is not None:
        for key in ("file_", "file"):
            source = ctx.get_parameter_source(key) if key in ctx.params else None
            if source not in (None, ParameterSource.DEFAULT):
                return Path(ctx.params[key])
        ctx = ctx.parent
    return file_


@click.group()
@_file_option
def inspect(file_: Path) -> None:
    """Read a c1z file: resource types, resources, entitlements, grants, stats, access.

    -f/--file may be given before or after the view: `inspect -f x.c1z grants` and
    `inspect grants -f x.c1z` both read x.c1z.
    """


@inspect.command("resource-types")
@_common
def resource_types(file_: Path, output_format: str) -> None:
    """List the resource types of the latest sync."""
    _show(file_, output_format, "resource-types")


@inspect.command()
@_common
@click.option("-t", "--resource-type", envvar=envvar("resource-type"), show_envvar=True,
              help="Only resources of this type id (user, group, role, policy...).")
def resources(file_: Path, output_format: str, resource_type: str | None) -> None:
    """List resources with their type and parent."""
    _show(file_, output_format, "resources", resource_type=resource_type)


@inspect.command()
@_common
@click.option("-t", "--resource-type", envvar=envvar("resource-type"), show_envvar=True,
              help="Only entitlements of resources of this type id (group, role, policy...).")
def entitlements(file_: Path, output_format: str, resource_type: str | None) -> None:
    """List entitlements with their resource."""
    _show(file_, output_format, "entitlements", resource_type=resource_type)


@inspect.command()
@_common
@click.option("-t", "--resource-type", envvar=envvar("resource-type"), show_envvar=True,
              help="Only grants on resources of this type id (group, role, policy...).")
@click.option("-r", "--resource", envvar=envvar("resource"), show_envvar=True,
              help="Only grants on this resource id.")
@click.option("-e", "--entitlement", envvar=envvar("entitlement"), show_envvar=True,
              help="Only grants of this entitlement id.")
def grants(file_: Path, output_format: str, resource_type: str | None, resource: str | None,
           entitlement: str | None) -> None:
    """List grants: who holds which entitlement on which resource."""
    _show(file_, output_format, "grants", resource_type=resource_type, resource=resource,
          entitlement=entitlement)


@inspect.command()
@_common
def stats(file_: Path, output_format: str) -> None:
    """Count resources per type, entitlements and grants of the latest sync."""
    _show(file_, output_format, "stats")


@inspect.command()
@_common
@click.option("--principal-type", required=True, envvar=envvar("principal-type"),
              show_envvar=True, help="The principal's resource type id, e.g. user or role.")
@click.option("--principal", required=True, envvar=envvar("principal"), show_envvar=True,
              help="The principal's resource id, or a user's login name, RAM name or display "
                   "name when only one resource answers to it.")
def access(file_: Path, output_format: str, principal_type: str, principal: str) -> None:
    """Show the effective access of one principal, as a tree of resources and entitlements."""
    _show(file_, output_format, "access", principal_type=principal_type, principal=principal)


_review.register(inspect, _file_option, _inherited_file)
_can.register(inspect, _file_option)
