/* The report page: every name from the account goes in as textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var PAGE = 500;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function cellText(v) {
    if (v === null || v === undefined) { return "-"; }
    if (v === true) { return "yes"; }
    if (v === false) { return "no"; }
    if (Array.isArray(v)) { return v.join(", ") || "-"; }
    return String(v);
  }
  function card(parent, label, value, cls, id) {
    var c = el("div", null, "card " + (cls || ""));
    var b = el("b", value);
    if (id) { b.id = id; }
    c.appendChild(b);
    c.appendChild(el("span", label));
    parent.appendChild(c);
  }

  /* a sortable, filterable table over rows (arrays), shown PAGE rows at a time */
  function table(id, columns, rows, filterId, shownId) {
    var tbl = document.getElementById(id);
    var order = rows.map(function (_, i) { return i; });
    var sortCol = -1, sortDir = 1, query = "";
    var head = el("tr");
    columns.forEach(function (name, i) {
      var th = el("th", name.replace(/_/g, " "));
      th.addEventListener("click", function () {
        sortDir = sortCol === i ? -sortDir : 1;
        sortCol = i;
        Array.prototype.forEach.call(head.children, function (h) { h.className = ""; });
        th.className = sortDir > 0 ? "sorted-asc" : "sorted-desc";
        order.sort(function (a, b) {
          var x = rows[a][i], y = rows[b][i];
          if (typeof x === "number" && typeof y === "number") { return (x - y) * sortDir; }
          return cellText(x).localeCompare(cellText(y)) * sortDir;
        });
        draw();
      });
      head.appendChild(th);
    });
    tbl.tHead.appendChild(head);
    var texts = rows.map(function (r) { return r.map(cellText).join("\u0001").toLowerCase(); });
    function draw() {
      var body = el("tbody"), shown = 0, matching = 0;
      order.forEach(function (i) {
        if (query && texts[i].indexOf(query) < 0) { return; }
        matching += 1;
        if (shown >= PAGE) { return; }
        shown += 1;
        var tr = el("tr");
        rows[i].forEach(function (v) { tr.appendChild(el("td", cellText(v))); });
        body.appendChild(tr);
      });
      tbl.replaceChild(body, tbl.tBodies[0]);
      tbl.setAttribute("data-rows", String(matching));
      if (shownId) {
        document.getElementById(shownId).textContent =
          matching > shown ? "showing " + shown + " of " + matching + " (filter or sort)"
                           : matching + " rows";
      }
    }
    if (filterId) {
      document.getElementById(filterId).addEventListener("input", function (e) {
        query = e.target.value.toLowerCase();
        draw();
      });
    }
    draw();
  }

  document.getElementById("account-name").textContent = data.account.name || "-";
  document.getElementById("account-id").textContent = data.account.id || "-";
  document.getElementById("sync-id").textContent = data.sync.id || "-";
  document.getElementById("sync-ended").textContent = data.sync.ended_at || "-";

  var summary = document.getElementById("summary");
  Object.keys(data.counts).forEach(function (k) {
    card(summary, k.replace(/_/g, " "), data.counts[k].toLocaleString("en"), "", "count-" + k);
  });
  var counts = document.getElementById("finding-counts");
  SEVERITIES.forEach(function (s) {
    card(counts, s, data.findings.counts[s], "sev-" + s, "findings-" + s);
  });
  var fcols = ["severity", "check", "object_type", "object", "reason", "paths"];
  if (data.findings.findings.some(function (f) { return "account" in f; })) {
    fcols.splice(2, 0, "account");  // an organization file: names repeat across accounts
  }
  table("findings", fcols, data.findings.findings.map(function (f) {
    return fcols.map(function (c) { return f[c]; });
  }), "finding-filter");
  table("users", data.users.columns, data.users.rows, "user-filter", "user-shown");

  var list = document.getElementById("graph-paths");
  data.admin_paths.forEach(function (p) { list.appendChild(el("li", p)); });
  document.getElementById("path-count").textContent = String(data.admin_paths.length);

  var colours = { admin: "#b42318", user: "#1d4ed8", users: "#1d4ed8", group: "#067647",
                  role: "#a15c07", account: "#6941c6", external: "#6941c6",
                  identity_provider: "#6941c6", service: "#475467" };
  var elements = data.graph.nodes.map(function (n) {
    return { data: { id: n.id, label: n.label, kind: n.kind } };
  }).concat(data.graph.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target,
                     trust: e.trust ? "yes" : "no" } };
  }));
  var nodesById = {};
  data.graph.nodes.forEach(function (n) { nodesById[n.id] = n; });
  var cy = cytoscape({
    container: document.getElementById("graph"),
    elements: elements,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 10,
        "background-color": function (n) { return colours[n.data("kind")] || "#475467"; },
        "text-valign": "bottom", "text-margin-y": 3, "width": 14, "height": 14 } },
      { selector: "node[kind = 'admin']", style: { "shape": "diamond", "width": 22,
        "height": 22 } },
      { selector: "node[kind = 'users']", style: { "shape": "round-rectangle", "width": 24 } },
      { selector: "edge", style: { "width": 1.2, "curve-style": "bezier",
        "target-arrow-shape": "triangle", "line-color": "#98a2b3",
        "target-arrow-color": "#98a2b3", "arrow-scale": 0.8 } },
      { selector: "edge[trust = 'yes']", style: { "line-style": "dashed",
        "line-color": "#6941c6", "target-arrow-color": "#6941c6" } }
    ],
    layout: { name: "breadthfirst", directed: true, spacingFactor: 1.1,
              roots: cy_roots() }
  });
  function cy_roots() {
    var targets = {};
    data.graph.edges.forEach(function (e) { targets[e.target] = true; });
    return data.graph.nodes.filter(function (n) { return !targets[n.id]; })
      .map(function (n) { return "[id = " + JSON.stringify(n.id) + "]"; }).join(", ") || undefined;
  }
  var panel = document.getElementById("panel");
  cy.on("tap", "node", function (evt) {
    var n = nodesById[evt.target.id()];
    panel.textContent = "";
    panel.appendChild(el("h3", n.label));
    panel.appendChild(el("span", n.kind, "pill"));
    panel.appendChild(el("p", n.id.replace(/^[a-z_-]+:/, "")));
    if (n.members) {
      panel.appendChild(el("p", n.total + " users reach admin through this; first " +
                                n.members.length + ":"));
      var ul = el("ul");
      n.members.forEach(function (m) { ul.appendChild(el("li", m)); });
      panel.appendChild(ul);
    }
    var out = evt.target.outgoers("node").map(function (o) { return o.data("label"); });
    if (out.length) { panel.appendChild(el("p", "leads to: " + out.join(", "))); }
  });
  /* the paths as the drawn graph has them: from each starting node to each admin node */
  var drawn = document.getElementById("graph-drawn-paths");
  var admins = cy.nodes("[kind = 'admin']");
  cy.nodes().roots().slice(0, 300).forEach(function (root) {
    admins.forEach(function (goal) {
      var found = cy.elements().aStar({ root: root, goal: goal, directed: true });
      if (found.found) {
        drawn.appendChild(el("li", found.path.nodes().map(function (n) {
          return n.data("label"); }).join(" → ")));
      }
    });
  });
  var status = document.getElementById("graph");
  status.setAttribute("data-nodes", String(cy.nodes().length));
  status.setAttribute("data-edges", String(cy.edges().length));
  status.setAttribute("data-drawn", cy.nodes().length > 0 &&
    cy.nodes()[0].renderedPosition().x !== undefined ? "yes" : "no");
}());
