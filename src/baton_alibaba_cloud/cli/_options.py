"""Click options generated from the field table, and the resolved values of one invocation.

Why generated: the flag, its ``BATON_*`` variable, its help and whether it is secret come from
``_fields.FIELDS``, so a new field appears in ``--help``, ``config`` and ``docs/cli.md`` at once.
Options given before a subcommand (``baton-alibaba-cloud --access-key-id X validate``) are
inherited by it, because baton users are used to putting global flags first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from baton_alibaba_cloud.cli._fields import CONSTRAINTS, FIELDS, Field, envvar, field

__all__ = ["GROUPS", "check_constraints", "field_options", "resolve"]

F = TypeVar("F", bound=Callable[..., Any])

GROUPS: Mapping[str, tuple[str, ...]] = {
    "all": tuple(f.name for f in FIELDS),
    "connector": (
        *(f.name for f in FIELDS if f.group in ("credentials", "endpoints", "features", "logging")),
        "provisioning",
    ),
    "features": ("sync-secrets", "provisioning"),
    "logging": ("log-level", "log-format"),
}


def _type(f: Field) -> Any:
    if f.choices:
        return click.Choice(f.choices, case_sensitive=False)
    if f.kind == "int":
        low, high = f.bounds or (1, None)
        return click.IntRange(min=int(low), max=int(high) if high is not None else None)
    if f.kind == "float" and f.bounds:
        return click.FloatRange(min=f.bounds[0], max=f.bounds[1])
    if f.kind == "float":
        return click.FloatRange(min=0, min_open=True)
    return str


def _option(f: Field) -> Callable[[F], F]:
    decls = [f"--{f.name}"] + ([f"-{f.short}"] if f.short else [])
    kwargs: dict[str, Any] = {
        "envvar": envvar(f.name),
        "show_envvar": True,
        "help": f.description,
        "hidden": f.hidden,
    }
    if f.kind == "bool":
        kwargs.update(is_flag=True, default=False)
    else:
        kwargs.update(default=f.default, show_default=f.default is not None and not f.secret)
        kwargs["type"] = _type(f)
        if not f.choices:
            kwargs["metavar"] = f.metavar or f.name.split("-")[-1].upper()
    return click.option(*decls, **kwargs)


def field_options(names: Iterable[str]) -> Callable[[F], F]:
    """Decorate a command with the options of these fields, in table order."""
    selected = [field(name) for name in names]

    def decorate(fn: F) -> F:
        for f in reversed(selected):
            fn = _option(f)(fn)
        return fn

    return decorate


def _param(name: str) -> str:
    return name.replace("-", "_")


def resolve(ctx: click.Context, names: Iterable[str]) -> dict[str, Any]:
    """The values of these fields for this command, by field name.

    A value left at its default here is taken from an enclosing command where it was given
    explicitly (flag or env var), so global flags before the subcommand count.
    """
    values: dict[str, Any] = {}
    for name in names:
        key = _param(name)
        value = ctx.params.get(key)
        source = ctx.get_parameter_source(key) if key in ctx.params else None
        parent = ctx.parent
        while source in (None, ParameterSource.DEFAULT) and parent is not None:
            if key in parent.params:
                psource = parent.get_parameter_source(key)
                if psource not in (None, ParameterSource.DEFAULT) or key not in ctx.params:
                    value, source = parent.params[key], psource
            parent = parent.parent
        values[name] = value
    return values


def _is_set(value: Any) -> bool:
    return value not in (None, "", False)


def _join(flags: list[str]) -> str:
    return flags[0] if len(flags) == 1 else ", ".join(flags[:-1]) + " and " + flags[-1]


def check_constraints(values: Mapping[str, Any]) -> None:
    """Refuse combinations the table forbids, as a usage error (exit 2) naming the flags."""
    for c in CONSTRAINTS:
        if not all(name in values for name in c.fields + c.secondary):
            continue
        given = [name for name in c.fields if _is_set(values[name])]
        flags = _join([f"--{name}" for name in c.fields])
        if c.kind == "required_together" and given and len(given) != len(c.fields):
            raise click.UsageError(f"{flags} must be given together")
        if c.kind == "mutually_exclusive" and len(given) > 1:
            raise click.UsageError(f"{flags} cannot be used together")
        if c.kind == "dependent_on" and given:
            missing = [name for name in c.secondary if not _is_set(values[name])]
            if missing:
                needs = _join([f"--{name}" for name in missing])
                raise click.UsageError(f"--{given[0]} needs {needs}")
