"""SQL side of grant expansion: paged reads of the v1 tables and batched writes.

Kept apart from ``expand.py`` so the walk reads as Go's algorithm and this file holds what is
specific to our storage: keyset pagination (no cursor stays open while we write), one query
per page and destination to find who already holds it, and ``executemany`` in batches.

A new grant's blob is concatenated, not built as a message: protobuf's wire format is a
sequence of fields, and deterministic serialization writes a message's fields in field-number
order, so ``Grant`` = entitlement (1), principal (2), id (3), annotations (4), sources (5), each
a length-delimited field that can be serialized on its own. The entitlement's field is made
once per destination, the principal's once per source grant (shared by every destination of
its page), the ``GrantImmutable`` annotation once, the sources once per (source, is_direct);
only the id is encoded per grant. The bytes equal ``SerializeToString(deterministic=True)`` of
the message Go's ``newExpandedGrant`` builds (tests/baton/test_expand_bytes.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf import any_pb2
from google.protobuf.message import Message

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable, GrantImmutable
from baton_alibaba_cloud.baton.pb.entitlement_pb2 import Entitlement
from baton_alibaba_cloud.baton.pb.grant_pb2 import Grant, GrantSources

PrincipalKey = tuple[str, str]

_EXPANDABLE_URL = b"type.googleapis.com/" + GrantExpandable.DESCRIPTOR.full_name.encode()


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_TAGS = {  # the keys of Grant's length-delimited fields, in field-number order
    name: _varint(Grant.DESCRIPTOR.fields_by_name[name].number << 3 | 2)
    for name in ("entitlement", "principal", "id", "annotations", "sources")
}


def _field(name: str, message: Message) -> bytes:
    """One message field of ``Grant`` as the grant's deterministic serialization writes it."""
    payload = message.SerializeToString(deterministic=True)
    return _TAGS[name] + _varint(len(payload)) + payload


_IMMUTABLE = any_pb2.Any()
_IMMUTABLE.Pack(GrantImmutable())
_IMMUTABLE_FIELD = _field("annotations", _IMMUTABLE)


def _sources_field(src: str, direct: bool) -> bytes:
    sources = GrantSources()
    sources.sources[src].is_direct = direct
    return _field("sources", sources)


def _grant_columns(conn: sqlite3.Connection) -> set[str]:
    return {str(row[1]) for row in conn.execute("PRAGMA table_info(v1_grants)")}


def _blobs_hold_expansion(conn: sqlite3.Connection, sync_id: str, columns: set[str]) -> bool:
    """Whether this sync's ``GrantExpandable`` annotations may still sit in the data blobs: the
    file predates the ``expansion`` column, or it was migrated but never back-filled (Go
    back-fills on open; we read the blobs instead of rewriting them)."""
    if "expansion" not in columns or "needs_expansion" not in columns:
        return True
    runs = {str(row[1]) for row in conn.execute("PRAGMA table_info(v1_sync_runs)")}
    if "grants_backfilled" not in runs:
        return False
    row = conn.execute(
        "SELECT grants_backfilled FROM v1_sync_runs WHERE sync_id = ?", (sync_id,)
    ).fetchone()
    return row is not None and not row[0]


def pending_expansions(
    conn: sqlite3.Connection, sync_id: str
) -> Iterator[tuple[str, PrincipalKey, GrantExpandable]]:
    """(destination entitlement id, principal, annotation) of every grant still to expand."""
    columns = _grant_columns(conn)
    if "expansion" in columns and "needs_expansion" in columns:
        rows = conn.execute(
            "SELECT entitlement_id, principal_resource_type_id, principal_resource_id, expansion "
            "FROM v1_grants WHERE sync_id = ? AND expansion IS NOT NULL AND needs_expansion = 1 "
            "ORDER BY id",
            (sync_id,),
        )
        for dst, ptype, pid, blob in rows:  # read as it goes: a row is 300 bytes, there may be 10^5
            yield str(dst), (str(ptype), str(pid)), GrantExpandable.FromString(bytes(blob))
    if _blobs_hold_expansion(conn, sync_id, columns):
        yield from _expansions_in_blobs(conn, sync_id)


def _expansions_in_blobs(
    conn: sqlite3.Connection, sync_id: str
) -> Iterator[tuple[str, PrincipalKey, GrantExpandable]]:
    """Older files: the annotation is inside ``data``. SQLite pre-filters on the type URL so only
    candidate blobs are parsed."""
    rows = conn.execute(
        "SELECT entitlement_id, principal_resource_type_id, principal_resource_id, data "
        "FROM v1_grants WHERE sync_id = ? AND instr(data, ?) > 0 ORDER BY id",
        (sync_id, _EXPANDABLE_URL),
    )
    for dst, ptype, pid, blob in rows:
        grant = Grant.FromString(bytes(blob))
        for item in grant.annotations:
            if item.type_url.encode() == _EXPANDABLE_URL:
                found = GrantExpandable()
                item.Unpack(found)
                yield str(dst), (str(ptype), str(pid)), found


@dataclass
class SourceGrant:
    """One grant on the source entitlement, reduced to what expansion needs."""

    key: PrincipalKey
    principal_field: bytes  # the principal as a new grant's field 2
    direct: bool  # no sources, or the source entitlement itself among them (Go's isSourceDirect)


def source_grant_pages(
    conn: sqlite3.Connection,
    sync_id: str,
    src: str,
    types: frozenset[str] | None,
    page_size: int,
) -> Iterator[list[SourceGrant]]:
    """The grants on ``src`` (principal types in ``types`` unless None), a page at a time."""
    sql = (
        "SELECT id, principal_resource_type_id, principal_resource_id, data FROM v1_grants "
        "WHERE entitlement_id = ? AND sync_id = ? AND id > ?"
    )
    filters: tuple[str, ...] = ()
    if types is not None:
        filters = tuple(sorted(types))
        sql += f" AND principal_resource_type_id IN ({','.join('?' * len(filters))})"
    sql += " ORDER BY id LIMIT ?"
    last = -1
    while True:
        rows = conn.execute(sql, (src, sync_id, last, *filters, page_size)).fetchall()
        if not rows:
            return
        last = int(rows[-1][0])
        page = [_source_grant(src, str(row[1]), str(row[2]), bytes(row[3])) for row in rows]
        yield [grant for grant in page if grant is not None]
        if len(rows) < page_size:
            return


def _source_grant(src: str, ptype: str, pid: str, blob: bytes) -> SourceGrant | None:
    grant = Grant.FromString(blob)
    if not grant.HasField("principal"):
        return None  # Go skips such a grant with a warning: it would match every principal
    sources = grant.sources.sources
    return SourceGrant(
        key=(ptype, pid),
        principal_field=_field("principal", grant.principal),
        direct=len(sources) == 0 or src in sources,
    )


@dataclass
class DestState:
    """A destination entitlement as stored, and whether its edge is shallow."""

    entitlement_id: str
    shallow: bool
    entitlement_field: bytes  # the stored entitlement as a new grant's field 1
    resource: PrincipalKey


def load_destination(
    conn: sqlite3.Connection, sync_id: str, entitlement_id: str, shallow: bool
) -> DestState | None:
    """The stored destination, or None when it is missing (Go then drops the edge)."""
    row = conn.execute(
        "SELECT data, resource_type_id, resource_id FROM v1_entitlements "
        "WHERE external_id = ? AND sync_id = ?",
        (entitlement_id, sync_id),
    ).fetchone()
    if row is None:
        return None
    return DestState(
        entitlement_id=entitlement_id,
        shallow=shallow,
        entitlement_field=_field("entitlement", Entitlement.FromString(bytes(row[0]))),
        resource=(str(row[1]), str(row[2])),
    )


@dataclass
class _Held:
    """A grant already stored on the destination."""

    rowid: int
    grant: Grant


@dataclass
class NewGrant:
    """A grant expansion creates (Go's ``newExpandedGrant``), kept as the pieces of its blob.

    Its only field that can change before it is written is the source's ``is_direct`` (a
    second grant of the same principal in the same page may be direct)."""

    dest: DestState
    key: PrincipalKey
    principal_field: bytes
    sources_fields: tuple[bytes, bytes]  # ``{src: {is_direct}}`` for False and for True
    direct: bool

    @property
    def grant_id(self) -> str:
        """Go's ``<entitlement id>:<principal type>:<principal id>``."""
        return f"{self.dest.entitlement_id}:{self.key[0]}:{self.key[1]}"

    def encode(self) -> bytes:
        """The grant's ``SerializeToString(deterministic=True)``, from its pieces."""
        gid = self.grant_id.encode()
        return b"".join((
            self.dest.entitlement_field, self.principal_field, _TAGS["id"], _varint(len(gid)), gid,
            _IMMUTABLE_FIELD, self.sources_fields[self.direct],
        ))


def apply_source_page(
    conn: sqlite3.Connection,
    sync_id: str,
    src: str,
    dest: DestState,
    page: list[SourceGrant],
    writer: GrantWriter,
) -> None:
    """Give every qualifying holder in ``page`` the destination, Go's ``applyDestGrant``."""
    qualifying = [sg for sg in page if sg.direct or not dest.shallow]
    if not qualifying:
        return
    held = _existing(conn, sync_id, dest.entitlement_id, {sg.key for sg in qualifying})
    sources = (_sources_field(src, False), _sources_field(src, True))
    created: dict[PrincipalKey, NewGrant] = {}
    for sg in qualifying:
        new = created.get(sg.key)
        if new is not None:
            new.direct = new.direct or sg.direct  # _add_source on a grant made in this page
            continue
        grants = held.get(sg.key)
        if not grants:
            created[sg.key] = new = NewGrant(dest, sg.key, sg.principal_field, sources, sg.direct)
            writer.add_new(new)
            continue
        for item in grants:
            if _add_source(item.grant, dest.entitlement_id, src, sg.direct):
                writer.add_update(item.rowid, item.grant)


def _existing(
    conn: sqlite3.Connection, sync_id: str, entitlement_id: str, keys: set[PrincipalKey]
) -> dict[PrincipalKey, list[_Held]]:
    """Grants already on the destination for these principals, in one query.

    Written as a CROSS JOIN from the key list so SQLite probes the (entitlement, principal)
    index once per key; ``(a, b) IN (VALUES …)`` would scan every grant on the destination,
    which is quadratic when a large group's members all land on one policy."""
    pairs = sorted(keys)
    values = ",".join("(?,?)" for _ in pairs)
    rows = conn.execute(
        f"SELECT g.id, g.principal_resource_type_id, g.principal_resource_id, g.data "
        f"FROM (VALUES {values}) AS k CROSS JOIN v1_grants AS g "
        "WHERE g.entitlement_id = ? AND g.principal_resource_type_id = k.column1 "
        "AND g.principal_resource_id = k.column2 AND g.sync_id = ? ORDER BY g.id",
        (*(part for pair in pairs for part in pair), entitlement_id, sync_id),
    ).fetchall()
    found: dict[PrincipalKey, list[_Held]] = {}
    for rowid, ptype, pid, blob in rows:
        item = _Held(int(rowid), Grant.FromString(bytes(blob)))
        found.setdefault((str(ptype), str(pid)), []).append(item)
    return found


def _add_source(grant: Grant, dst: str, src: str, direct: bool) -> bool:
    """Record ``src`` on an existing grant; True if the grant changed."""
    sources = grant.sources.sources
    changed = False
    if len(sources) == 0:
        sources[dst].is_direct = True  # held directly, and now also via src
        changed = True
    if src not in sources:
        sources[src].is_direct = direct
        changed = True
    elif direct and not sources[src].is_direct:
        sources[src].is_direct = True  # a direct path wins over an indirect one
        changed = True
    return changed


@dataclass
class GrantWriter:
    """Buffers new and changed grants and writes them in batched transactions."""

    conn: sqlite3.Connection
    sync_id: str
    commit_every: int = 5000
    created: int = 0
    updated: int = 0
    _new: list[NewGrant] = field(default_factory=list)
    _changed: dict[int, Grant] = field(default_factory=dict)
    _uncommitted: int = 0

    def add_new(self, grant: NewGrant) -> None:
        self._new.append(grant)

    def add_update(self, rowid: int, grant: Grant) -> None:
        self._changed[rowid] = grant

    def flush(self) -> None:
        """Write what is buffered; commit once enough rows are pending."""
        if not self._new and not self._changed:
            return
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
        now = _sqlite_now()
        self.conn.executemany(_INSERT, self._insert_rows(now))
        self.conn.executemany(
            "UPDATE v1_grants SET data = ? WHERE id = ?",
            ((_encode(grant), rowid) for rowid, grant in self._changed.items()),
        )
        written = len(self._new) + len(self._changed)
        self.created += len(self._new)
        self.updated += len(self._changed)
        self._new.clear()
        self._changed.clear()
        self._uncommitted += written
        if self._uncommitted >= self.commit_every:
            self.conn.commit()
            self._uncommitted = 0

    def finish(self) -> None:
        """Write the rest and commit."""
        self.flush()
        if self.conn.in_transaction:
            self.conn.commit()

    def _insert_rows(self, now: str) -> Iterable[tuple[object, ...]]:
        sync_id = self.sync_id
        for new in self._new:
            dest = new.dest
            yield (
                *dest.resource, dest.entitlement_id, *new.key, new.grant_id, new.encode(),
                sync_id, now,
            )


_INSERT = (
    "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, "
    "principal_resource_type_id, principal_resource_id, external_id, data, sync_id, "
    "discovered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (external_id, sync_id) DO UPDATE SET data = excluded.data"
)


def _encode(grant: Grant) -> bytes:
    return grant.SerializeToString(deterministic=True)


def _sqlite_now() -> str:
    """Local time as Go's SQLite layer stores it: microseconds, trailing zeros trimmed."""
    text = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0")
    return text.rstrip(".")
