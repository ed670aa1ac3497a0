"""Answers checked against the action's response tree before anything reads them.

Why: a 200 answer whose list is a string, a list of strings, or ``null`` was once read as an
empty page, and a sync of an account with users replaced the good file with one holding none.
The response trees come from the metadata snapshot (``metadata.py``, the official SDK's
models); this module says which answers cannot be the action's. The client refuses such an
answer like a transient error (``_transport.py``), so it is retried and then fails in one line.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .metadata import FieldSpec, Service, load

__all__ = ["REQUIRED_ITEM_FIELDS", "ResponseValidationError", "listing_path", "validate_response"]


class ResponseValidationError(Exception):
    """An answer whose shape the API's response tree rules out (``path``: where, ``str``: why)."""


_CONTAINERS = ("object", "array")


def validate_response(service: Service, action: str, body: Mapping[str, Any]) -> None:
    """Refuse an answer that cannot be the action's: a list that is not a list, a list of
    non-objects where objects are listed, an object that is a string, ``null`` on the path of
    the listed items. Tolerated, as the XML heritage makes them (Alibaba's own SDK tolerates
    them too): a missing field, one object where a list is expected, numbers as strings."""
    spec = load(service).actions.get(action)
    if spec is None:
        return
    listing = listing_path(service, action)
    _check(spec.response, body, "", listing, on_listing=False)
    needed = REQUIRED_ITEM_FIELDS.get(f"{service}:{action}", ())
    if listing and needed:
        wrapper = body.get(listing[0])
        found = wrapper.get(listing[1]) if isinstance(wrapper, Mapping) else None
        for index, item in enumerate([found] if isinstance(found, Mapping) else found or []):
            missing = [name for name in needed if item.get(name) in (None, "")]
            if missing:
                raise ResponseValidationError(
                    f"{'.'.join(listing)}[{index}] has no {' or '.join(missing)}")


REQUIRED_ITEM_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "ims:ListUsers": ("UserPrincipalName", "UserId"),
    "ram:ListUsers": ("UserName", "UserId"),
    "ims:ListGroups": ("GroupName", "GroupId"),
    "ram:ListGroups": ("GroupName", "GroupId"),
    "ram:ListRoles": ("RoleName", "RoleId"),
    "ram:ListPolicies": ("PolicyName", "PolicyType"),
})
"""The identifying fields every listed item carries (the SDK models mark no field required;
these are the names and ids Alibaba's API reference shows on every item). An item without one
cannot be synced, so the page is refused like any malformed answer."""


@functools.cache
def listing_path(service: Service, action: str) -> tuple[str, ...]:
    """The field names leading to the listed items of a Marker-paged action
    (``("Users", "User")``), ``()`` for other actions."""
    spec = load(service).actions[action]
    if "Marker" not in spec.parameters:
        return ()
    found = [
        (name, inner) for name, node in spec.response.fields.items() if node.type == "object"
        for inner, sub in node.fields.items() if sub.type == "array"
    ]
    return found[0] if len(found) == 1 else ()


_OBJECT, _LIST = "an object", "a list"


def _check(
    spec: FieldSpec, value: Any, path: str, listing: tuple[str, ...], *, on_listing: bool
) -> None:
    """One node and, for containers, the fields and items the tree knows (bounded by the tree's
    depth, whatever the answer's). ``listing`` is what remains of the listed items' path."""
    where = path or "the answer"
    if value is None:
        if on_listing:
            raise ResponseValidationError(f"{where} is null where the listed items belong")
        return
    kind = _kind(value)
    if spec.type == "object":
        if kind != _OBJECT:
            raise ResponseValidationError(f"{where} is {kind}, not an object")
        for name, sub in spec.fields.items():
            if name in value:
                follows = listing[:1] == (name,)
                _check(sub, value[name], f"{path}.{name}" if path else name,
                       listing[1:] if follows else (), on_listing=follows)
    elif spec.type == "array":
        objects = spec.item is not None and spec.item.type == "object"
        if kind != _LIST and not (kind == _OBJECT and objects):
            raise ResponseValidationError(f"{where} is {kind}, not a list")
        for index, item in enumerate(value if kind == _LIST else [value]):
            if spec.item is not None:
                _check(spec.item, item, f"{path}[{index}]", (), on_listing=objects)
    elif spec.type not in ("map", "any") and kind in (_OBJECT, _LIST):
        raise ResponseValidationError(f"{where} is {kind}, not a {spec.type}")


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return _OBJECT
    if isinstance(value, list):
        return _LIST
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "a number" if isinstance(value, int | float) else "an unknown value"
