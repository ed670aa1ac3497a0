"""``report --out report.html``: one self-contained HTML page with the account summary, the
findings, the identity hygiene table and a graph of who reaches administrator access (through
which groups and role chains) and which roles other accounts may assume.

Why one file with everything inlined: a reviewer mails it or opens it from a file URL on a
machine without network access; a Content-Security-Policy of ``default-src 'none'`` makes
sure the page cannot fetch anything. The graph is drawn by Cytoscape.js (vendored in
``report_assets/`` with its MIT licence), its layout by Cytoscape's breadth-first layout.

Large accounts: the graph never gets one node per user when many users are on it; users who
reach admin through the same group become one node "N users" (the panel lists them), and the
hygiene table is paged in the browser. The page holds the findings and the hygiene rows as
compact arrays, so 50,000 users stay a few megabytes.

Public API: ``report_data(reader) -> dict``, ``render_html(data) -> str``,
``write_report(reader, path)``.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from baton_alibaba_cloud.baton import principals as reverse
from baton_alibaba_cloud.baton.c1z.reader import C1zReader
from baton_alibaba_cloud.connector import findings, hygiene, ids

__all__ = ["render_html", "report_data", "write_report"]

MAX_SINGLE_USERS = 40
"""More users than this on the graph: users reaching admin through a group are grouped."""
MAX_BUCKETS = 60
"""First steps (a group, a role, or a direct holder) drawn; the rest are one node."""
MAX_TRUST = 80
"""Trust edges drawn (other accounts, providers); the rest are one node listing the roles."""
MAX_LISTED = 500
"""Names listed in the panel of a grouped node."""

_USER_COLUMNS = ("user", "display_name", "status", "type", "console_login", "mfa", "last_login",
                 "keys", "oldest_key_age_days", "key_last_used", "groups", "direct_policies",
                 "effective_policies", "scoped_policies")


def _node(nodes: dict[str, dict[str, Any]], key: str, label: str, kind: str,
          **extra: Any) -> str:
    if key not in nodes:
        nodes[key] = {"id": key, "label": label, "kind": kind, **extra}
    return key


def _bucket(holder: reverse.Holder, chain: list[str]) -> str:
    """What a path goes through first (a group, a role), or the holder itself if direct."""
    return chain[0] if chain else f"{holder.principal_type}:{holder.principal_id}"


def _admin_graph(reader: C1zReader, admin: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Nodes and edges from each identity through its path to each admin policy; on a large
    account only the ``MAX_BUCKETS`` busiest first steps are drawn, the rest become one
    "other paths" node per policy (the path list below the graph still has every path)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    paths: list[str] = []
    entries: list[tuple[str, reverse.Holder, Any, list[str]]] = []
    for policy in findings.admin_targets(reader, admin):
        key = _node(nodes, f"{policy.id.resource_type}:{policy.id.resource}",
                    policy.display_name, "admin")
        for h in reverse.holders(reader, policy, "attached"):
            if h.principal_type != ids.GROUP:
                entries += [(key, h, p, [f"{x.resource_type}:{x.resource_id}" for x in p.hops])
                            for p in h.paths]
    busiest = Counter(_bucket(h, chain) for _, h, _, chain in entries)
    kept = {b for b, _ in busiest.most_common(MAX_BUCKETS)}
    many = sum(1 for _, h, _, _ in entries if h.principal_type == ids.USER) > MAX_SINGLE_USERS
    grouped: dict[str, list[str]] = defaultdict(list)
    for target, holder, path, chain in entries:
        names = [holder.display_name, *(h.resource_name for h in path.hops),
                 nodes[target]["label"]]
        paths.append(" → ".join(names))
        if _bucket(holder, chain) not in kept:
            grouped[f"other:{target}"].append(holder.display_name)
            edges.add((f"other:{target}", target))
            continue
        for hop in path.hops:
            _node(nodes, f"{hop.resource_type}:{hop.resource_id}", hop.resource_name,
                  hop.resource_type)
        start = f"{holder.principal_type}:{holder.principal_id}"
        if many and holder.principal_type == ids.USER and chain:
            grouped[f"users-via:{chain[0]}"].append(holder.display_name)
            start = f"users-via:{chain[0]}"
        else:
            _node(nodes, start, holder.display_name, holder.principal_type)
        edges.update(pairwise([start, *chain, target]))
    for key, members in grouped.items():
        unique = sorted(set(members))
        label = (f"{len(unique):,} users" if key.startswith("users-via:")
                 else f"{len(unique):,} identities by other paths")
        _node(nodes, key, label, "users", members=unique[:MAX_LISTED], total=len(unique))
    graph = {"nodes": list(nodes.values()),
             "edges": [{"source": s, "target": t} for s, t in sorted(edges)]}
    return graph, sorted(set(paths))


def _trust_edges(reader: C1zReader, found: list[findings.Finding],
                 graph: dict[str, Any]) -> None:
    """Cross-account and unconditioned federated trust: who may assume which role."""
    known = {n["id"] for n in graph["nodes"]}

    def add(key: str, label: str, kind: str) -> None:
        if key not in known:
            graph["nodes"].append({"id": key, "label": label, "kind": kind})
            known.add(key)

    trusting = [f for f in found if f.subject is not None]
    if len(trusting) > MAX_TRUST:
        rest = sorted({f.object_name for f in trusting[MAX_TRUST:]})
        graph["nodes"].append({"id": "trust:more", "kind": "users", "total": len(rest),
                               "label": f"{len(rest):,} more roles trusted from outside",
                               "members": rest[:MAX_LISTED]})
    for f in trusting[:MAX_TRUST]:
        assert f.subject is not None
        role, other = f"role:{f.object_id}", f"{f.subject[0]}:{f.subject[1]}"
        res = reader.get_resource(*f.subject)
        add(role, f.object_name, "role")
        add(other, res.display_name if res is not None else f.subject[1], "external")
        graph["edges"].append({"source": other, "target": role, "trust": True})


def report_data(reader: C1zReader) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data."""
    stats = reader.stats()
    state = hygiene.load_hygiene(reader)
    found = findings.find(reader, state)
    own = hygiene.synced_account(reader)
    account = reader.get_resource(ids.ACCOUNT, own) if own else None
    admin = [f.object_id for f in found if f.check.id == "custom-policy-full-admin"]
    admin += [r.id.resource for r in reader.resources(ids.POLICY)
              if ids.name_of(r.id.resource) in findings.ADMIN_SYSTEM_POLICIES
              and r.profile.fields["policy_type"].string_value == "System"]
    graph, paths = _admin_graph(reader, admin)
    _trust_edges(reader, found, graph)
    rows = hygiene.user_rows(state)
    columns = ("account", *_USER_COLUMNS) if state.multi_account else _USER_COLUMNS
    name = account.display_name if account else own
    if state.multi_account:  # an organization file: the management account and its members
        name = f"{name} and {len(state.accounts) - 1} member accounts"
    return {
        "account": {"id": own, "name": name},
        "sync": {"id": stats.sync.sync_id if stats.sync else None,
                 "ended_at": stats.sync.ended_at if stats.sync else None},
        "counts": {**stats.resources_by_type, "entitlements": stats.entitlements,
                   "grants": stats.grants},
        "findings": findings.findings_json(found),
        "users": {"columns": list(columns),
                  "rows": [[r[c] for c in columns] for r in rows]},
        "graph": graph,
        "admin_paths": paths,
    }


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("report_assets", name).read_text("utf-8")


def _script_json(data: object) -> str:
    """JSON safe inside ``<script>``: no ``</`` and no HTML comment opener."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(data: dict[str, Any]) -> str:
    """The page: the template with the styles, the data, Cytoscape and the page script."""
    page = _asset("report.html")
    parts = {
        "/*STYLE*/": _asset("report.css"),
        "/*DATA*/": _script_json(data),
        "/*CYTOSCAPE*/": _asset("cytoscape.min.js"),
        "/*SCRIPT*/": _asset("report.js"),
    }
    for marker, text in parts.items():
        page = page.replace(marker, text, 1)
    return page


def write_report(reader: C1zReader, path: Path) -> dict[str, Any]:
    """Write the page to ``path`` (created readable by its owner only: it maps who can do
    what) through a temporary file renamed into place; return the data it shows."""
    data = report_data(reader)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_html(data))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return data
