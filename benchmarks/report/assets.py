"""The page's own stylesheet and script, inlined into index.html (no server, no network, no library).

The script reads the trajectories from the page's JSON block and builds every node with createElement and
textContent: model text never reaches the HTML parser. The URL fragment holds the browser's state,
`#run=r0&group=G1_tool&status=answered&verdict=failed&traj=r0-3`, so a link (or a test) opens a view.
"""

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1300px;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
nav a{margin-right:1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}
td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f1f1f1;white-space:normal;max-width:8em}
#leaderboard-table td:first-child{min-width:14em;max-width:22em;overflow-wrap:anywhere}
tr.unfinished td{color:#888;font-style:italic}
.wide{overflow-x:auto}
img.plot{max-width:100%;display:block;margin:.6em 0}
.note{color:#666;font-size:.9em}
#filters label{margin-right:1em}
#traj-list tbody tr{cursor:pointer} #traj-list tbody tr:hover{background:#eef4ff}
#traj-list tbody tr.open{background:#dde8ff}
#traj-detail{border:1px solid #bbb;padding:.5em 1em;margin-top:1em}
#traj-detail:empty{display:none}
pre{white-space:pre-wrap;word-break:break-word;margin:.2em 0;background:#f7f7f7;padding:.3em;max-height:24em;overflow:auto}
.role{font-weight:bold;margin-right:.5em}
.passed{color:#17652b} .failed{color:#a11}
ul.tree{list-style:none;padding-left:1.2em;border-left:1px dotted #aaa}
ul.tree li.pruned>details>summary,ul.tree li.pruned>span{color:#999;text-decoration:line-through}
.node-type{font-weight:bold;margin-right:.4em}
#side-by-side:empty{display:none}
.side-cols{display:flex;gap:1em} .side-col{flex:1;min-width:0;border:1px solid #bbb;padding:.3em .6em}
li.diverged{background:#fff3c4} .step{color:#666;margin-right:.5em}
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var FILTERS = ["run", "group", "status", "verdict", "category"];
  var byId = {}, runLabel = {};
  data.trajectories.forEach(function (t) { byId[t.id] = t; });
  data.runs.forEach(function (r) { runLabel[r.key] = r.label; });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function params() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
    });
    return out;
  }
  function setHash(p) {
    location.hash = Object.keys(p).filter(function (k) { return p[k]; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(p[k]);
    }).join("&");
  }
  function chosen() {
    var p = {};
    FILTERS.forEach(function (f) { p[f] = document.getElementById("filter-" + f).value; });
    return p;
  }
  function matches(t, p) {
    return FILTERS.every(function (f) {
      if (f === "category") return !p[f] || t.categories.indexOf(p[f]) >= 0;
      return !p[f] || t[f] === p[f];
    });
  }

  function renderList(p) {
    var body = document.querySelector("#traj-list tbody");
    body.textContent = "";
    var shown = data.trajectories.filter(function (t) { return matches(t, p); });
    shown.forEach(function (t) {
      var row = el("tr");
      row.setAttribute("data-traj", t.id);
      if (t.id === p.traj) row.className = "open";
      [runLabel[t.run], t.task, t.group, t.status, t.verdict, t.steps, firstError(t)].forEach(function (v) { row.appendChild(el("td", v)); });
      row.children[4].className = t.verdict;
      row.addEventListener("click", function () {
        var next = chosen();
        next.traj = t.id;
        setHash(next);
      });
      body.appendChild(row);
    });
    document.getElementById("traj-count").textContent = shown.length + " of " + data.trajectories.length + " trajectories";
  }

  function field(list, name, value) {
    if (value === "" || value === null || value === undefined) return;
    list.appendChild(el("dt", name));
    var dd = el("dd");
    dd.appendChild(el("pre", value));
    list.appendChild(dd);
  }
  function treeNode(node) {
    var li = el("li", null, node.pruned ? "pruned" : "");
    var head = el("span");
    head.appendChild(el("span", node.type, "node-type"));
    head.appendChild(document.createTextNode(node.text));
    if (node.code !== null && node.code !== undefined) head.appendChild(document.createTextNode("  [status " + node.code + "]"));
    var box = head;
    if (node.children.length) {
      box = el("details");
      box.open = true;
      var summary = el("summary");
      summary.appendChild(head);
      box.appendChild(summary);
    }
    li.appendChild(box);
    if (node.obs) box.appendChild(el("pre", node.obs));
    if (node.children.length) {
      var ul = el("ul", null, "tree");
      node.children.forEach(function (child) { ul.appendChild(treeNode(child)); });
      box.appendChild(ul);
    }
    return li;
  }
  function firstError(t) {
    var f = t.first_error;
    return f ? f.category + " (" + f.role + ", step " + f.step + ")" : "none";
  }
  function sameTask(t) {
    return data.trajectories.filter(function (o) { return o.task === t.task && o.id !== t.id; });
  }
  function renderWhy(box, t) {
    if (t.step_errors.length) {
      var list = el("ul", null, "step-errors");
      t.step_errors.forEach(function (e) {
        list.appendChild(el("li", "step " + e[0] + ": " + e[1] + " (" + e[2] + ")" + (e[3] ? ": " + e[3] : "")));
      });
      box.appendChild(list);
    }
    var others = sameTask(t);
    if (others.length) {
      var links = el("p", "Side by side with: ", "note");
      others.forEach(function (o) {
        var a = el("a", runLabel[o.run]);
        a.setAttribute("href", "#side=" + encodeURIComponent(t.id + "," + o.id));
        a.className = "side-link";
        links.appendChild(a);
        links.appendChild(document.createTextNode(" "));
      });
      box.appendChild(links);
    }
  }
  function sideColumn(t, marked) {
    var col = el("div", null, "side-col");
    col.appendChild(el("h4", runLabel[t.run] + ": " + t.status + ", " + t.verdict));
    col.appendChild(el("p", "first error: " + firstError(t), "note"));
    var turns = el("ol", null, "turns");
    t.turns.forEach(function (turn, i) {
      var li = el("li", null, t.turn_steps[i] === marked ? "diverged" : "");
      li.setAttribute("data-step", t.turn_steps[i]);
      li.appendChild(el("span", "step " + t.turn_steps[i], "step"));
      li.appendChild(el("span", turn[0], "role"));
      li.appendChild(el("pre", turn[1]));
      turns.appendChild(li);
    });
    col.appendChild(turns);
    return col;
  }
  function renderSide(pair) {
    var box = document.getElementById("side-by-side");
    box.textContent = "";
    if (!pair) return;
    var ids = pair.split(","), a = byId[ids[0]], b = byId[ids[1]];
    if (!a || !b) { box.appendChild(el("p", "No such pair of trajectories in this report.")); return; }
    var d = data.divergences[a.id + "|" + b.id];
    box.appendChild(el("h3", a.task + ": " + runLabel[a.run] + " vs " + runLabel[b.run]));
    box.appendChild(el("p", d ? "They diverge at step " + d.step + " (" + d.role + ")." : "They do not diverge.", "divergence"));
    var cols = el("div", null, "side-cols");
    cols.appendChild(sideColumn(a, d ? d.step : null));
    cols.appendChild(sideColumn(b, d ? d.step : null));
    box.appendChild(cols);
  }

  function renderDetail(id) {
    var box = document.getElementById("traj-detail");
    box.textContent = "";
    if (!id) return;
    var t = byId[id];
    if (!t) { box.appendChild(el("p", "No trajectory " + id + " in this report.")); return; }
    box.appendChild(el("h3", t.task + " \u2014 " + runLabel[t.run]));
    var facts = el("dl");
    field(facts, "status", t.status);
    field(facts, "verdict", t.verdict);
    field(facts, "final answer", t.answer);
    field(facts, "gold facts (a right answer states each)", t.gold);
    field(facts, "said with Finish", t.finish_thought);
    field(facts, "error", t.error);
    field(facts, "first error", firstError(t));
    box.appendChild(facts);
    renderWhy(box, t);
    box.appendChild(el("h4", "Turns"));
    var turns = el("ol", null, "turns");
    t.turns.forEach(function (turn) {
      var li = el("li");
      li.appendChild(el("span", turn[0], "role"));
      li.appendChild(el("pre", turn[1]));
      turns.appendChild(li);
    });
    box.appendChild(turns);
    box.appendChild(el("h4", "Tool calls (" + t.calls.length + ")"));
    if (t.calls.length) {
      var table = el("table", null, "calls");
      var head = el("tr");
      ["#", "thought", "function", "arguments", "status code", "source", "observation"].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(head);
      t.calls.forEach(function (c, i) {
        var row = el("tr");
        [i + 1, c.thought, c.name, c.arguments, c.status, c.source, c.observation].forEach(function (v, j) {
          var cell = el("td");
          cell.appendChild(j === 1 || j === 3 || j === 6 ? el("pre", v) : document.createTextNode(String(v)));
          row.appendChild(cell);
        });
        table.appendChild(row);
      });
      box.appendChild(table);
    }
    if (t.tree) {
      box.appendChild(el("h4", "DFSDT search tree"));
      var ul = el("ul", null, "tree");
      ul.appendChild(treeNode(t.tree));
      box.appendChild(ul);
    }
  }

  function render() {
    var p = params();
    FILTERS.forEach(function (f) { document.getElementById("filter-" + f).value = p[f] || ""; });
    renderList(p);
    renderDetail(p.traj);
    renderSide(p.side);
    if (p.traj) document.getElementById("traj-detail").scrollIntoView();
    if (p.side) document.getElementById("side-by-side").scrollIntoView();
  }
  FILTERS.forEach(function (f) {
    document.getElementById("filter-" + f).addEventListener("change", function () { setHash(chosen()); });
  });
  window.addEventListener("hashchange", render);
  render();
})();
"""
