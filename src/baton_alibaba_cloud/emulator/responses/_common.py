"""What every service's responses share: parameter access, Markers and list wrappers.

Handlers return the wire dict WITHOUT RequestId (``app.py`` adds it). Lists use RAM's
singular wrappers (``{"Users": {"User": [...]}}``); ``IsTruncated`` is a boolean and
``Marker`` appears only when it is true (docs/alibaba.md §3.0).
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, TypeVar

from ...alibaba import metadata
from .._backend.paging import Page
from ..backend import Backend
from ..errors import EmulatorError, missing_parameter
from ..identity import Caller

__all__ = ["BaseResponses", "Wire", "method_name"]

Wire = dict[str, Any]
T = TypeVar("T")


def method_name(action: str) -> str:
    """``GetUserMFAInfo`` → ``get_user_mfa_info`` (moto names handlers after actions)."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", action)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced).lower()


def invalid(parameter: str, message: str) -> EmulatorError:
    return EmulatorError(f"InvalidParameter.{parameter}", message, 400)


class BaseResponses:
    """One request: the backend, its parameters and the authenticated caller."""

    SERVICE: ClassVar[str] = ""
    ACTIONS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, backend: Backend, params: dict[str, str], caller: Caller) -> None:
        self.backend = backend
        self.params = params
        self.caller = caller
        self.action = ""

    def call(self, action: str) -> Wire:
        if action not in self.ACTIONS:
            raise EmulatorError(
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.", 404,
            )
        self.action = action
        result: Wire = getattr(self, method_name(action))()
        return result

    # ---- parameters ------------------------------------------------------------------------
    def param(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def required(self, name: str) -> str:
        value = self.params.get(name)
        if value is None or value == "":
            raise missing_parameter(name)
        return str(value)

    def flag(self, name: str) -> bool | None:
        value = self.param(name)
        if value is None or value == "":
            return None
        if value.lower() not in ("true", "false"):
            raise invalid(name, f'The parameter "{name}" must be true or false.')
        return value.lower() == "true"

    def max_items(self) -> int:
        """``MaxItems``, defaulting and bounded as the API metadata says for this action
        (docs/alibaba.md §3.0), so page sizes have one source with the gateway's check."""
        spec = metadata.load(self.SERVICE).actions[self.action].parameters["MaxItems"]  # type: ignore[arg-type]
        default, maximum = int(spec.default or 1), int(spec.maximum or 1)
        text = self.param("MaxItems")
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= maximum:
            raise invalid("MaxItems", f"The parameter MaxItems must be between 1 and {maximum}.")
        return value

    def marker(self, scope: str) -> int:
        return self.backend.markers.decode(scope, self.param("Marker"))

    def json_tags(self) -> dict[str, str | None]:
        """RAM's ``Tag`` parameter: one JSON array of ``{"Key", "Value"}``."""
        text = self.param("Tag")
        if not text:
            return {}
        try:
            items = json.loads(text)
            return {str(item["Key"]): item.get("Value") for item in items}
        except (ValueError, TypeError, KeyError):
            raise invalid("Tag", "The parameter Tag is not a valid JSON array.") from None

    def repeat_tags(self) -> dict[str, str | None]:
        """IMS's ``Tag.N.Key``/``Tag.N.Value`` (N = 1..20, consecutive)."""
        tags: dict[str, str | None] = {}
        for index in range(1, 21):
            key = self.param(f"Tag.{index}.Key")
            if key is None:
                break
            tags[key] = self.param(f"Tag.{index}.Value")
        return tags

    # ---- results ---------------------------------------------------------------------------
    def truncation(self, scope: str, page: Page[T]) -> Wire:
        """``IsTruncated`` and, only when true, the opaque ``Marker`` of the next page."""
        result: Wire = {"IsTruncated": page.resume_after is not None}
        if page.resume_after is not None:
            result["Marker"] = self.backend.markers.encode(scope, page.resume_after)
        return result

    def listing(self, scope: str, page: Page[T], outer: str, inner: str,
                items: list[Wire]) -> Wire:
        return {outer: {inner: items}, **self.truncation(scope, page)}


def tags_match(have: dict[str, str], wanted: dict[str, str | None]) -> bool:
    """Every wanted key is present and, when a value is given, equal."""
    return all(
        key in have and (value is None or have[key] == value) for key, value in wanted.items()
    )
