"""API facts of RAM 2015-05-01, IMS 2019-08-15, STS 2015-04-01, Resource Manager 2020-03-31 and
CloudSSO 2021-05-15, and request validation.

Why: the client and the emulator must agree with Alibaba on which actions exist, which
parameters each takes and how large a page may be. Those facts are data (docs/architecture.md,
``alibaba/``): ``data/{ram,ims,sts,resourcemanager,cloudsso}.json``, generated from the official
SDKs, read here and nowhere else. Our client validates its own requests with
:func:`validate_request` (in tests and at ``--log-level debug``); the emulator validates every
incoming request with it, so both refuse exactly the same things with the real error codes.

Regenerating the data (after changing the pinned SDK versions in ``pyproject.toml``)::

    .venv/bin/python scripts/refresh_metadata.py

Each parameter records where each fact came from: ``sources["maximum"] == "sdk"`` (a request
model docstring) or ``"reference"`` (``docs/alibaba.md`` §3, applied by the
script's overlay where the SDK is silent, e.g. required flags, which RAM's docs leave unmarked).

Error codes (``docs/alibaba.md`` §4), checked in this order:

=========================  ====  ====================================================
unknown action             404   ``InvalidAction.NotFound``
unknown parameter          400   ``InvalidParameter`` (message form of §4.1)
missing required one       400   ``Missing<Name>``, "<Name> is mandatory for this action."
wrong type / out of range  400   ``InvalidParameter.<Name>`` (the §4.3 family, e.g.
                                 ``InvalidParameter.MaxItems``)
=========================  ====  ====================================================

The reference gives ``MissingParameter`` / ``Missing{ParameterName}`` and ``InvalidParameter`` /
``Invalid{ParameterName}`` as alternatives; we use the per-parameter ``Missing<Name>`` and the
``InvalidParameter.<Name>`` form that RAM's own error list uses (``InvalidParameter.PolicyType``).
Enum values are recorded but not enforced here: the SDK lists them in free text, and the
service answers a bad value with a business code that belongs to the emulator's backend.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

__all__ = [
    "ActionSpec",
    "FieldSpec",
    "ParamSpec",
    "RequestValidationError",
    "Service",
    "ServiceSpec",
    "load",
    "max_items",
    "page_size",
    "published_quota",
    "service_for_version",
    "validate_request",
]

Service = Literal["ram", "ims", "sts", "resourcemanager", "cloudsso"]
SERVICES: tuple[Service, ...] = get_args(Service)


@dataclass(frozen=True)
class FieldSpec:
    """A node of a JSON shape: ``type`` is string/integer/boolean/number/object/array/map/any."""

    name: str
    type: str
    fields: Mapping[str, FieldSpec]
    item: FieldSpec | None = None


@dataclass(frozen=True)
class ParamSpec:
    """One wire parameter. ``style``: simple, repeatList (``Tag.1.Key``), flat (``Name.key``)
    or json (one parameter holding a JSON string). ``default`` is the wire string."""

    name: str
    type: str
    style: str
    required: bool
    minimum: int | None
    maximum: int | None
    default: str | None
    enum: tuple[str, ...] | None
    location: str = "query"
    item: FieldSpec | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ActionSpec:
    """One action: its parameters by wire name and the response body's field tree."""

    name: str
    parameters: Mapping[str, ParamSpec]
    response: FieldSpec
    method: str = "POST"
    auth_type: str = "AK"
    sdk_method: str = ""
    quota: int | None = None
    """The published requests/second for one account, where the snapshot records one."""


@dataclass(frozen=True)
class ServiceSpec:
    """One API version of one product, as the pinned SDK package describes it."""

    name: Service
    version: str
    sdk_package: str
    sdk_version: str
    actions: Mapping[str, ActionSpec]


class RequestValidationError(Exception):
    """A request the real service would refuse: wire ``code``, ``message`` and HTTP status."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


def _field_spec(name: str, raw: Mapping[str, Any]) -> FieldSpec:
    fields = {key: _field_spec(key, sub) for key, sub in raw.get("fields", {}).items()}
    item = _field_spec(name, raw["item"]) if "item" in raw else None
    return FieldSpec(name=name, type=raw["type"], fields=MappingProxyType(fields), item=item)


def _param(name: str, raw: Mapping[str, Any]) -> ParamSpec:
    enum = raw.get("enum")
    return ParamSpec(
        name=name, type=raw["type"], style=raw["style"], required=bool(raw["required"]),
        minimum=raw.get("minimum"), maximum=raw.get("maximum"), default=raw.get("default"),
        enum=tuple(enum) if enum else None, location=raw.get("in", "query"),
        item=_field_spec(name, raw["item"]) if "item" in raw else None,
        sources=MappingProxyType(dict(raw.get("sources", {}))),
    )


def _action(name: str, raw: Mapping[str, Any]) -> ActionSpec:
    params = {key: _param(key, sub) for key, sub in raw["parameters"].items()}
    return ActionSpec(
        name=name, parameters=MappingProxyType(params), response=_field_spec("", raw["response"]),
        method=raw["method"], auth_type=raw["auth_type"], sdk_method=raw["sdk_method"],
        quota=raw.get("quota"),
    )


def load(service: Service) -> ServiceSpec:
    """The snapshot of ``service`` (read once per process)."""
    return _load(service)


@functools.cache
def _load(service: Service) -> ServiceSpec:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {SERVICES}")
    text = resources.files(__package__).joinpath("data", f"{service}.json").read_text("utf-8")
    raw = json.loads(text)
    actions = {name: _action(name, spec) for name, spec in raw["actions"].items()}
    return ServiceSpec(name=service, version=raw["version"], sdk_package=raw["sdk_package"],
                       sdk_version=raw["sdk_version"], actions=MappingProxyType(actions))


def service_for_version(version: str) -> Service | None:
    """The service an ``x-acs-version`` header names (``2015-05-01`` -> ``"ram"``), or None."""
    return next((s for s in SERVICES if load(s).version == version), None)


def max_items(service: Service, action: str) -> int | None:
    """The largest ``MaxItems`` the action accepts; None when it does not page by MaxItems.

    Raises KeyError for an action the service does not have (a bug in the caller)."""
    param = load(service).actions[action].parameters.get("MaxItems")
    return param.maximum if param is not None else None


def page_size(service: Service, action: str) -> int | None:
    """The largest ``PageSize`` of a PageNumber-paginated action (Resource Manager), else None.

    Raises KeyError for an action the service does not have (a bug in the caller)."""
    param = load(service).actions[action].parameters.get("PageSize")
    return param.maximum if param is not None and "PageNumber" in load(service).actions[
        action].parameters else None


def published_quota(service: Service, action: str) -> int | None:
    """The per-account requests/second the snapshot records for an action, else None."""
    spec = load(service).actions.get(action)
    return spec.quota if spec is not None else None


def validate_request(service: Service, action: str, params: Mapping[str, str]) -> None:
    """Refuse, as the real service would, a request the metadata says is malformed.

    ``params`` are wire names and string values, flattened (``Tag.1.Key``) as they travel."""
    spec = load(service).actions.get(action)
    if spec is None:
        raise RequestValidationError(
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.", 404)
    resolved = [(name, _resolve(spec, name)) for name in sorted(params)]
    for param in spec.parameters.values():
        if param.required and not _present(param, params):
            raise RequestValidationError(
                f"Missing{param.name}", f"{param.name} is mandatory for this action.")
    for name, (param, value_type) in resolved:
        _check_value(param, name, value_type, params[name])


_INDEX = re.compile(r"[1-9][0-9]*")


def _resolve(spec: ActionSpec, name: str) -> tuple[ParamSpec, str]:
    """The parameter a wire name belongs to, with the type its value must have."""
    param = spec.parameters.get(name)
    if param is not None:
        return param, "json" if param.style == "json" else param.type
    head, _, rest = name.partition(".")
    param = spec.parameters.get(head)
    if param is not None and param.style == "flat" and rest:
        return param, "string"
    if param is not None and param.style == "repeatList":
        index, _, member = rest.partition(".")
        item = param.item or FieldSpec(head, "string", MappingProxyType({}))
        if _INDEX.fullmatch(index):
            if not member and not item.fields:
                return param, item.type
            if member in item.fields:
                return param, item.fields[member].type
    raise RequestValidationError(
        "InvalidParameter", f'The specified parameter "{name}" is not valid.')


def _present(param: ParamSpec, params: Mapping[str, str]) -> bool:
    if params.get(param.name, "") != "":
        return True
    prefix = param.name + "."
    return param.style in ("repeatList", "flat") and any(k.startswith(prefix) for k in params)


_INTEGER = re.compile(r"-?[0-9]+")


def _check_value(param: ParamSpec, name: str, value_type: str, value: str) -> None:
    """Type and range of one value; ``InvalidParameter.<Name>`` when wrong."""
    def refuse(why: str) -> RequestValidationError:
        return RequestValidationError(f"InvalidParameter.{param.name}",
                                      f'The parameter - "{name}" {why}.')

    if name == param.name and param.style == "repeatList":
        raise refuse(f"must be sent flattened as {name}.N")
    if value_type == "integer" and not _INTEGER.fullmatch(value):
        raise refuse("is not a valid Integer")
    if value_type == "boolean" and value.lower() not in ("true", "false"):
        raise refuse("is not a valid Boolean")
    if value_type == "number" and not _is_number(value):
        raise refuse("is not a valid Number")
    if value_type == "json" and not _is_json(value):
        raise refuse("is not valid JSON")
    if param.minimum is None and param.maximum is None:
        return
    if not _INTEGER.fullmatch(value):
        raise refuse("is not a valid Integer")
    number = int(value)
    if param.minimum is not None and number < param.minimum:
        raise refuse(f"is out of range: {_range_text(param)}")
    if param.maximum is not None and number > param.maximum:
        raise refuse(f"is out of range: {_range_text(param)}")


def _range_text(param: ParamSpec) -> str:
    if param.minimum is not None and param.maximum is not None:
        return f"valid values are {param.minimum} to {param.maximum}"
    if param.minimum is not None:
        return f"the minimum is {param.minimum}"
    return f"the maximum is {param.maximum}"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_json(value: str) -> bool:
    try:
        cast(object, json.loads(value))
    except ValueError:
        return False
    return True
