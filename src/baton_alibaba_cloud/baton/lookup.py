"""Checking what a person typed against a c1z, with the closest valid names when it is wrong.

Why: a filter that matches nothing prints an empty table, and an empty answer reads as "nobody
has access". ``inspect grants -e nosuch`` or ``resources -t users`` must say the name is
unknown and what was probably meant instead. The checks run before the view: an id that
exists but has nothing to show (a user with no grants) is still an honest empty answer.

Public API (each raises ``UnknownName``, whose message is the one line to print):

* ``check_resource_type(reader, type_id, flag="-t/--resource-type")``
* ``check_resource(reader, resource_type, resource_id)`` (``resource_type`` may be ``None``:
  the id in any type)
* ``check_entitlement(reader, entitlement_id)``
* ``resolve_principal(reader, principal_type, principal) -> str``: the resource id of a
  principal given by id, or, when exactly one resource of that type matches, by login name,
  login alias, display name or the last ``/`` segment of its id (a RAM user's name).
  Several matches are ``AmbiguousName`` (a ``UnknownName``) listing them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.baton.pb.annotation_trait_pb2 import UserTrait
from baton_alibaba_cloud.baton.pb.resource_pb2 import Resource
from baton_alibaba_cloud.baton.table import escape
from baton_alibaba_cloud.baton.types import unpack_annotation

__all__ = [
    "AmbiguousName",
    "UnknownName",
    "check_entitlement",
    "check_resource",
    "check_resource_type",
    "closest",
    "resolve_principal",
]

MAX_SUGGESTIONS = 5


class UnknownName(ValueError):
    """A type, id or name the file does not hold; ``str()`` is one line with suggestions."""


class AmbiguousName(UnknownName):
    """A name that several resources answer to; ``str()`` lists them."""


def closest(word: str, candidates: Iterable[str], exact_tails: bool = True) -> list[str]:
    """Up to five valid names nearest ``word``: first those whose last ``/`` or ``:``
    segment is ``word`` (``alice`` → ``acs:ram::…:user/alice``) or that contain it, then
    ``difflib``'s closest."""
    pool = list(dict.fromkeys(candidates))
    folded = word.casefold()
    tails = [c for c in pool if exact_tails and _tail(c).casefold() == folded]
    contains = [c for c in pool if folded and folded in c.casefold() and c not in tails]
    near = difflib.get_close_matches(word, pool, n=MAX_SUGGESTIONS, cutoff=0.6)
    return list(dict.fromkeys([*tails, *contains[:MAX_SUGGESTIONS], *near]))[:MAX_SUGGESTIONS]


def _tail(name: str) -> str:
    return name.replace(":", "/").rsplit("/", 1)[-1]


def _unknown(what: str, value: str, suggestions: list[str], listing: str) -> UnknownName:
    hint = f"; did you mean {', '.join(escape(s) for s in suggestions)}?" if suggestions else ""
    return UnknownName(f"no {what} '{escape(value)}' in this file{hint} "
                       f"(`inspect {listing}` lists them)")


def check_resource_type(reader: C1zReader, type_id: str, what: str = "resource type") -> None:
    """``type_id`` is a resource type id of the sync (``role``, not ``Role`` or ``roles``):
    a stored resource type, or the type of stored resources (a file may omit the types)."""
    if reader.get_resource_type(type_id) is not None:
        return
    used = reader.stats().resources_by_type
    if type_id in used:
        return
    types = [rt.id for rt in reader.resource_types()] + list(used)
    by_name = [rt.id for rt in reader.resource_types()
               if rt.display_name.casefold() == type_id.casefold()]
    suggestions = list(dict.fromkeys(by_name + closest(type_id, types)))
    raise _unknown(what, type_id, suggestions[:MAX_SUGGESTIONS], "resource-types")


def check_resource(reader: C1zReader, resource_type: str | None, resource_id: str) -> None:
    """``resource_id`` is a resource of ``resource_type`` (of any type when ``None``)."""
    types = [resource_type] if resource_type else [rt.id for rt in reader.resource_types()]
    if any(reader.get_resource(t, resource_id) is not None for t in types):
        return
    candidates: list[str] = []
    named: list[str] = []  # typed a display name: suggest its id first
    for t in types:
        for res in reader.resources(t):
            candidates.append(res.id.resource)
            if res.display_name.casefold() == resource_id.casefold():
                named.append(res.id.resource)
    kind = f"{resource_type} resource" if resource_type else "resource"
    listing = f"resources -t {resource_type}" if resource_type else "resources"
    suggestions = list(dict.fromkeys(named + closest(resource_id, candidates)))
    raise _unknown(kind, resource_id, suggestions[:MAX_SUGGESTIONS], listing)


def check_entitlement(reader: C1zReader, entitlement_id: str) -> None:
    """``entitlement_id`` is an entitlement of the sync (``<type>:<resource id>:<slug>``)."""
    if reader.get_entitlement(entitlement_id) is not None:
        return
    ids = [ent.id for ent in reader.entitlements()]
    raise _unknown("entitlement", entitlement_id,
                   closest(entitlement_id, ids, exact_tails=False), "entitlements")


def resolve_principal(reader: C1zReader, principal_type: str, principal: str) -> str:
    """The id of the principal typed as an id, or as a name only one resource answers to."""
    check_resource_type(reader, principal_type, "principal type")
    if reader.get_resource(principal_type, principal) is not None:
        return principal
    resources = list(reader.resources(principal_type))
    matches = [r.id.resource for r in resources if principal in _names(r)]
    if not matches:
        folded = principal.casefold()
        matches = [r.id.resource for r in resources
                   if folded in {n.casefold() for n in _names(r)}]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(
            f"'{escape(principal)}' names {len(matches)} {principal_type} resources: "
            f"{', '.join(escape(m) for m in matches[:10])}; pass one of these ids")
    by_name = {name: r.id.resource for r in resources for name in _names(r)}
    near = [by_name[n] for n in difflib.get_close_matches(principal, list(by_name), n=3)]
    ids = [r.id.resource for r in resources]
    suggestions = list(dict.fromkeys(near + closest(principal, ids)))[:MAX_SUGGESTIONS]
    raise _unknown(principal_type, principal, suggestions, f"resources -t {principal_type}")


def _names(res: Resource) -> set[str]:
    """What a person may call a resource: display name, login, aliases, its id's last
    ``/`` segment (a RAM user's or role's name)."""
    names = {res.display_name, res.id.resource.rsplit("/", 1)[-1]}
    trait = unpack_annotation(res.annotations, UserTrait)
    if trait is not None:
        names.update([trait.login, *trait.login_aliases])
    names.discard("")
    return names
