"""Grant expansion as the Go SDK does it, in place on an open v1 c1z database.

A grant carrying ``GrantExpandable{entitlement_ids: [S…]}`` on entitlement ``D`` says that every
holder of ``S`` also holds ``D`` (group ``dev`` attached to a policy: every member of ``dev`` gets
the policy). After the connector's grants are stored, the sync walks those edges transitively and
writes the implied grants, so that consumers see effective access without re-deriving it. The
output must match baton-sdk v0.25.0 (``pkg/sync/expand/expander.go``, SQLite path) grant for grant:

* a holder ``X`` of ``S`` without a grant on ``D`` gets a new grant ``<D>:<X type>:<X id>`` with the
  stored ``D`` entitlement, the source grant's principal, ``[GrantImmutable{}]`` and
  ``sources = {S: {is_direct}}``; ``is_direct`` says whether X's grant on ``S`` is itself direct
  (it has no sources, or lists ``S`` among them);
* a holder that already has a grant on ``D`` gets ``S`` added to its ``sources`` (preceded by
  ``{D: {is_direct: true}}`` when it had none: "held directly, and also via S"); a later direct
  path upgrades an indirect entry;
* ``shallow`` edges carry only direct grants on ``S``; ``resource_type_ids`` filters principals.

Like Go on SQLite, the ``expansion``/``needs_expansion`` columns are left as they were: expansion
is idempotent, and Go's ``StoreExpandedGrants`` preserves them on purpose. Files from older
writers keep ``GrantExpandable`` inside the ``data`` blob; those are read too (and left there).

Memory holds the graph (entitlement ids) and one page of source grants; grants are streamed
with keyset pagination and written in batched transactions, so a million grants is fine.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass

from baton_alibaba_cloud.baton.pb.annotations_pb2 import GrantExpandable
from baton_alibaba_cloud.baton.sync._grant_io import (
    DestState,
    GrantWriter,
    apply_source_page,
    load_destination,
    pending_expansions,
    source_grant_pages,
)
from baton_alibaba_cloud.baton.sync._graph import CondensedGraph, EdgeSpec, EntitlementGraph

__all__ = ["ExpansionError", "ExpansionStats", "MaxDepthExceeded", "expand_grants"]

DEFAULT_MAX_DEPTH = 20


class ExpansionError(Exception):
    """The stored grants cannot be expanded (Go fails the sync in the same cases)."""


class MaxDepthExceeded(ExpansionError):
    """The graph needs more waves than ``max_depth`` (Go's ``ErrMaxDepthExceeded``)."""


@dataclass
class ExpansionStats:
    """What one expansion did, for logs and sync stats."""

    expandable_grants: int = 0
    edges: int = 0
    entitlements: int = 0
    cycles_collapsed: int = 0
    waves: int = 0
    edges_dropped: int = 0
    source_grants_read: int = 0
    grants_created: int = 0
    grants_updated: int = 0
    seconds: float = 0.0


def expand_grants(
    conn: sqlite3.Connection,
    sync_id: str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    page_size: int = 500,
    commit_every: int = 5000,
) -> ExpansionStats:
    """Expand the grants of ``sync_id`` in ``conn`` (a v1 c1z database), committing as it goes.

    Raises ``MaxDepthExceeded`` before writing anything when the graph is deeper than
    ``max_depth`` waves, and ``ExpansionError`` when an expandable grant's principal is not the
    resource of the entitlement it names (Go refuses those edges the same way).
    """
    started = time.perf_counter()
    stats = ExpansionStats()
    graph = _load_graph(conn, sync_id, stats)
    stats.edges = len(graph.edges)
    dag = graph.condense()
    del graph  # the walk needs only the condensed graph: the edges by id go before it starts
    waves = dag.waves()
    stats.entitlements = sum(len(members) for members in dag.nodes)
    stats.cycles_collapsed = dag.cycles_collapsed
    stats.waves = len(waves)
    if len(waves) > max_depth:
        raise MaxDepthExceeded(
            f"grant expansion needs {len(waves)} levels, more than the maximum {max_depth}"
        )
    writer = GrantWriter(conn, sync_id, commit_every=commit_every)
    for wave in waves:
        for node in wave:
            _expand_node(conn, sync_id, dag, node, writer, stats, page_size)
    writer.finish()
    stats.grants_created = writer.created
    stats.grants_updated = writer.updated
    stats.seconds = time.perf_counter() - started
    return stats


def _load_graph(conn: sqlite3.Connection, sync_id: str, stats: ExpansionStats) -> EntitlementGraph:
    """Edges from every pending expandable grant, checked as Go's ``loadEntitlementGraph`` does:
    a missing source entitlement drops the edge, a source owned by another resource than the
    grant's principal is an error.

    Each entitlement id is kept once (``names``): a group's ``member`` is the source of every
    policy the group holds, and every row would otherwise bring its own copy of both ids (a
    50-account organization has 30,000 edges)."""
    graph = EntitlementGraph()
    owners: dict[str, tuple[str, str] | None] = {}
    names: dict[str, str] = {}
    for dst, principal, expandable in pending_expansions(conn, sync_id):
        stats.expandable_grants += 1
        spec = EdgeSpec.of(expandable.shallow, expandable.resource_type_ids)
        dst = names.setdefault(dst, dst)
        for src in _source_ids(expandable):
            src = names.setdefault(src, src)
            if src not in owners:
                owners[src] = _entitlement_owner(conn, sync_id, src)
            owner = owners[src]
            if owner is None:
                stats.edges_dropped += 1
                continue
            if owner != principal:
                raise ExpansionError(
                    f"expandable grant on {dst!r} for {principal[0]}:{principal[1]} names "
                    f"{src!r}, an entitlement of {owner[0]}:{owner[1]}"
                )
            graph.add_edge(src, dst, spec)
    return graph


def _source_ids(expandable: GrantExpandable) -> Iterator[str]:
    """The non-blank source entitlement ids (Go looks blank ones up, finds nothing, skips)."""
    return (ent for ent in expandable.entitlement_ids if ent.strip())


def _entitlement_owner(
    conn: sqlite3.Connection, sync_id: str, entitlement_id: str
) -> tuple[str, str] | None:
    """The (type, id) of the resource an entitlement belongs to, or None if it is not stored."""
    row = conn.execute(
        "SELECT resource_type_id, resource_id FROM v1_entitlements "
        "WHERE external_id = ? AND sync_id = ?",
        (entitlement_id, sync_id),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def _expand_node(
    conn: sqlite3.Connection,
    sync_id: str,
    dag: CondensedGraph,
    node: int,
    writer: GrantWriter,
    stats: ExpansionStats,
    page_size: int,
) -> None:
    """Expand every entitlement of one node into its destinations.

    Destinations sharing a principal-type filter share one read of the source's grants (Go
    batches them the same way; only the reads differ, not the result)."""
    by_filter: dict[frozenset[str] | None, list[tuple[str, EdgeSpec]]] = {}
    for dst, spec in dag.out_edges(node):
        by_filter.setdefault(spec.resource_type_ids, []).append((dst, spec))
    for src in dag.nodes[node]:
        for types, dests in by_filter.items():
            states: list[DestState] = []
            for dst, spec in dests:
                state = load_destination(conn, sync_id, dst, spec.shallow)
                if state is None:
                    stats.edges_dropped += 1  # Go drops the edge: nothing to grant
                else:
                    states.append(state)
            if states:
                _fan_out(conn, sync_id, src, types, states, writer, stats, page_size)


def _fan_out(
    conn: sqlite3.Connection,
    sync_id: str,
    src: str,
    types: frozenset[str] | None,
    states: list[DestState],
    writer: GrantWriter,
    stats: ExpansionStats,
    page_size: int,
) -> None:
    """Stream the source's grants page by page into every destination.

    The writer is flushed after each destination's share of a page, not after the whole page:
    an updated grant is held as a parsed message until it is written, and a source with many
    destinations (a group attached to dozens of policies) would otherwise hold a page's worth
    per destination at once (tens of megabytes of messages in a large organization)."""
    for page in source_grant_pages(conn, sync_id, src, types, page_size):
        stats.source_grants_read += len(page)
        for state in states:
            apply_source_page(conn, sync_id, src, state, page, writer)
            writer.flush()

