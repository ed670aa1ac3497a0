"""The entitlement graph that grant expansion walks, with the Go SDK's cycle handling.

An edge ``src -> dst`` says "whoever holds ``src`` also holds ``dst``" (a grant on ``dst`` whose
principal is ``src``'s resource carried ``GrantExpandable{entitlement_ids: [src]}``). The rules
mirror baton-sdk v0.25.0 ``pkg/sync/expand`` (graph.go, cycle.go) because the expanded grants
must be the ones Go would write:

* duplicate ``(src, dst)`` edges fold into one: any deep edge makes it deep, any unfiltered
  edge (empty ``resource_type_ids``) makes it unfiltered, otherwise the filters are unioned;
* every strongly connected component with more than one entitlement, or with a self-loop, is
  collapsed into one node whose in- and out-edges are the same fold of the members' edges. The
  edges *inside* the component are dropped: Go does not expand members of a cycle into each
  other, it only feeds the whole component from outside and feeds outside from every member;
* expansion runs in waves. A node is expanded once every node feeding it is; the wave count is
  the longest chain of edges, and Go refuses graphs that need more than ``max_depth`` waves.

Only entitlement ids live here, so memory grows with the graph, never with the grants.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["CondensedGraph", "EdgeSpec", "EntitlementGraph"]


@dataclass(frozen=True)
class EdgeSpec:
    """How one edge filters the grants it carries.

    ``resource_type_ids`` is ``None`` when unfiltered (every principal type passes), else the
    principal types allowed. ``shallow`` edges carry only the source's direct grants.
    """

    shallow: bool = False
    resource_type_ids: frozenset[str] | None = None

    def merge(self, other: EdgeSpec) -> EdgeSpec:
        """The widest of two specs: deep wins, unfiltered wins, filters union (Go's
        ``mergeEdgeSpec`` / duplicate ``AddEdge``)."""
        if self.resource_type_ids is None or other.resource_type_ids is None:
            types = None
        else:
            types = self.resource_type_ids | other.resource_type_ids
        return EdgeSpec(shallow=self.shallow and other.shallow, resource_type_ids=types)

    @staticmethod
    def of(shallow: bool, resource_type_ids: Iterable[str]) -> EdgeSpec:
        """Build from ``GrantExpandable`` fields: an empty id list means unfiltered. The few
        distinct specs are shared by every edge that has them (one object each, not one per
        edge)."""
        return _spec(shallow, frozenset(resource_type_ids))


@functools.lru_cache(maxsize=256)
def _spec(shallow: bool, types: frozenset[str]) -> EdgeSpec:
    return EdgeSpec(shallow=shallow, resource_type_ids=types or None)


@dataclass
class EntitlementGraph:
    """Edges between entitlement ids as loaded from the expandable grants."""

    edges: dict[tuple[str, str], EdgeSpec] = field(default_factory=dict)

    def add_edge(self, src: str, dst: str, spec: EdgeSpec) -> None:
        """Add ``src -> dst``, folding a duplicate into the existing edge."""
        key = (src, dst)
        known = self.edges.get(key)
        self.edges[key] = spec if known is None else known.merge(spec)

    def condense(self) -> CondensedGraph:
        """Collapse cycles and return the DAG that expansion walks."""
        succ: dict[str, list[str]] = {}
        for src, dst in self.edges:
            succ.setdefault(src, []).append(dst)
            succ.setdefault(dst, [])
        components = _strongly_connected(succ)
        node_of: dict[str, int] = {}
        for index, members in enumerate(components):
            for ent in members:
                node_of[ent] = index
        node_edges: dict[tuple[int, int], EdgeSpec] = {}
        collapsed = sum(1 for members in components if len(members) > 1)
        for (src, dst), spec in self.edges.items():
            a, b = node_of[src], node_of[dst]
            if a == b:
                collapsed += 1 if src == dst and len(components[a]) == 1 else 0
                continue  # inside a cycle: Go drops it
            known = node_edges.get((a, b))
            node_edges[(a, b)] = spec if known is None else known.merge(spec)
        nodes = [tuple(sorted(members)) for members in components]
        return CondensedGraph(nodes=nodes, edges=node_edges, cycles_collapsed=collapsed)


@dataclass
class CondensedGraph:
    """The acyclic graph of entitlement groups (one per collapsed cycle, else one each)."""

    nodes: list[tuple[str, ...]]
    edges: dict[tuple[int, int], EdgeSpec]
    cycles_collapsed: int = 0
    _children: dict[int, list[int]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for a, b in self.edges:
            self._children.setdefault(a, []).append(b)

    def waves(self) -> list[list[int]]:
        """Source nodes grouped by the wave in which Go expands them.

        A node's wave is one more than the latest wave among the nodes feeding it; nodes with
        no outgoing edge are never a source and belong to no wave."""
        parents: dict[int, list[int]] = {}
        for a, b in self.edges:
            parents.setdefault(b, []).append(a)
        children = self._children
        wave_of: dict[int, int] = {}
        for node in _topological(children, len(self.nodes)):
            if node in children:
                wave_of[node] = 1 + max((wave_of[p] for p in parents.get(node, ())), default=0)
        waves: list[list[int]] = [[] for _ in range(max(wave_of.values(), default=0))]
        for node, wave in sorted(wave_of.items()):
            waves[wave - 1].append(node)
        return waves

    def out_edges(self, node: int) -> list[tuple[str, EdgeSpec]]:
        """Every destination entitlement fed by ``node``, with the edge's spec, sorted."""
        found = [
            (dst_ent, self.edges[(node, child)])
            for child in self._children.get(node, ())
            for dst_ent in self.nodes[child]
        ]
        return sorted(found, key=lambda item: item[0])


def _topological(children: dict[int, list[int]], count: int) -> list[int]:
    """Kahn's order of a DAG with nodes ``0..count-1``."""
    indegree = [0] * count
    for targets in children.values():
        for target in targets:
            indegree[target] += 1
    ready = [n for n in range(count) if indegree[n] == 0]
    order: list[int] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for target in children.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return order


def _strongly_connected(succ: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components, iteratively (a long group chain must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in sorted(succ):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_pos = work.pop()
            if child_pos == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = succ[node]
            if child_pos < len(targets):
                work.append((node, child_pos + 1))
                target = targets[child_pos]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                members: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                components.append(members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components
