/* implmap "find barriers": filter every finding of the review in the browser, offline.
   Reads window.implmapFindData (set by find-data.js). Every value is shown with textContent,
   never parsed as HTML. The filters live in the address's hash: #domain=...&theme=...&q=... */
(function () {
  "use strict";
  var root = document.getElementById("implmap-find");
  var D = window.implmapFindData;
  if (!root || !D) { return; }
  Array.prototype.forEach.call(root.querySelectorAll(".implmap-nojs"),
                               function (p) { p.parentNode.removeChild(p); });
  var pageSize = parseInt(root.getAttribute("data-pagesize"), 10) || 50;
  var KEYS = ["q", "type", "domain", "theme", "perspective", "level", "comb", "study"];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function safeHref(h) { return /^[a-z][a-z0-9+.-]*:/i.test(h) ? "#" : h; }

  var themeIds = D.themes.map(function (t) { return t[0]; });
  var studyIds = D.studies.map(function (s) { return s[0]; });
  var search = D.rows.map(function (r) {
    var s = D.studies[r[0]];
    return (r[2] + " " + s[0] + " " + s[1]).toLowerCase();
  });

  var form = el("form", { "class": "implmap-filters", role: "search" });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var controls = {};
  function select(key, label, options) {
    var lab = el("label", null, label);
    var s = el("select", { name: key, "data-filter": key });
    s.appendChild(el("option", { value: "" }, "any"));
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, o[1])); });
    lab.appendChild(s);
    form.appendChild(lab);
    controls[key] = s;
  }
  var qLabel = el("label", null, "Search the findings");
  var q = el("input", { type: "search", name: "q", "data-filter": "q", placeholder: "words…" });
  qLabel.appendChild(q);
  form.appendChild(qLabel);
  controls.q = q;
  select("type", "Barrier or facilitator", [["barrier", "barriers"], ["facilitator", "facilitators"]]);
  select("domain", "TDF domain", D.domains.map(function (d) { return [d, d]; }));
  select("theme", "Theme", D.themes.map(function (t) { return [t[0], t[1]]; }));
  select("perspective", "Perspective", D.perspectives.map(function (p) { return [p, p]; }));
  select("level", "Level", D.levels.map(function (l) { return [l, l]; }));
  if (D.comb.length) { select("comb", "COM-B", D.comb.map(function (c) { return [c, c]; })); }
  select("study", "Study", D.studies.map(function (s) { return [s[0], s[0]]; }));
  var reset = el("button", { type: "button", "class": "implmap-reset" }, "Clear filters");
  form.appendChild(reset);

  var status = el("p", { "class": "implmap-status", role: "status", "aria-live": "polite" });
  var wrap = el("div", { "class": "implmap-scroll" });
  var table = el("table", { "class": "implmap-table implmap-find-table" });
  var thead = el("thead");
  var hr = el("tr");
  ["Finding", "Type", "TDF domains", "Themes", "Perspective", "Level", "Study"].forEach(function (h) {
    hr.appendChild(el("th", { scope: "col" }, h));
  });
  thead.appendChild(hr);
  var tbody = el("tbody");
  table.appendChild(thead);
  table.appendChild(tbody);
  wrap.appendChild(table);
  var pager = el("div", { "class": "implmap-pager" });
  var prev = el("button", { type: "button" }, "← Previous");
  var next = el("button", { type: "button" }, "Next →");
  var where = el("span");
  pager.appendChild(prev); pager.appendChild(next); pager.appendChild(where);
  var hint = el("p", { "class": "implmap-scroll-hint", "aria-hidden": "true" },
                "Scroll the table sideways for more columns →");
  root.appendChild(form); root.appendChild(status); root.appendChild(hint); root.appendChild(wrap);
  root.appendChild(pager);

  var state = { page: 0, hits: [] };

  function readHash() {
    var f = {};
    var h = window.location.hash.replace(/^#/, "");
    h.split("&").forEach(function (part) {
      if (!part) { return; }
      var i = part.indexOf("=");
      if (i < 0) { return; }
      var k = part.slice(0, i), v;
      try { v = decodeURIComponent(part.slice(i + 1).replace(/\+/g, " ")); } catch (e) { return; }
      if (KEYS.indexOf(k) >= 0) { f[k] = v; }
    });
    return f;
  }
  function current() {
    var f = {};
    KEYS.forEach(function (k) { if (controls[k] && controls[k].value) { f[k] = controls[k].value; } });
    return f;
  }
  function writeHash(f) {
    var parts = KEYS.filter(function (k) { return f[k]; }).map(function (k) {
      return k + "=" + encodeURIComponent(f[k]);
    });
    var h = parts.length ? "#" + parts.join("&") : " ";
    if (history.replaceState) {
      history.replaceState(null, "", h === " " ? window.location.pathname + window.location.search : h);
    }
  }
  function setControls(f) {
    KEYS.forEach(function (k) {
      var c = controls[k];
      if (!c) { return; }
      var v = f[k] || "";
      if (c.tagName === "SELECT" && v && !Array.prototype.some.call(c.options, function (o) { return o.value === v; })) {
        c.appendChild(el("option", { value: v }, v + " (no findings)"));
      }
      c.value = v;
    });
  }
  function matches(f) {
    var di = f.domain ? D.domains.indexOf(f.domain) : null;
    var ti = f.theme ? themeIds.indexOf(f.theme) : null;
    var pi = f.perspective ? D.perspectives.indexOf(f.perspective) : null;
    var li = f.level ? D.levels.indexOf(f.level) : null;
    var ci = f.comb ? D.comb.indexOf(f.comb) : null;
    var si = f.study ? studyIds.indexOf(f.study) : null;
    var ty = f.type ? (f.type === "facilitator" ? 1 : 0) : null;
    var words = (f.q || "").toLowerCase().split(/\s+/).filter(Boolean);
    var out = [];
    for (var n = 0; n < D.rows.length; n++) {
      var r = D.rows[n];
      if (ty !== null && r[3] !== ty) { continue; }
      if (si !== null && r[0] !== si) { continue; }
      if (li !== null && r[5] !== li) { continue; }
      if (di !== null && r[6].indexOf(di) < 0) { continue; }
      if (ti !== null && r[7].indexOf(ti) < 0) { continue; }
      if (pi !== null && r[4].indexOf(pi) < 0) { continue; }
      if (ci !== null && r[8].indexOf(ci) < 0) { continue; }
      var ok = true;
      for (var w = 0; w < words.length; w++) {
        if (search[n].indexOf(words[w]) < 0) { ok = false; break; }
      }
      if (ok) { out.push(n); }
    }
    return out;
  }
  function names(idx, list) { return idx.map(function (i) { return list[i]; }).join(", "); }
  function render() {
    var hits = state.hits;
    var pages = Math.max(1, Math.ceil(hits.length / pageSize));
    if (state.page >= pages) { state.page = pages - 1; }
    var start = state.page * pageSize;
    var frag = document.createDocumentFragment();
    hits.slice(start, start + pageSize).forEach(function (n) {
      var r = D.rows[n];
      var s = D.studies[r[0]];
      var tr = el("tr", { "data-finding": s[0] + "/" + r[1] });
      tr.appendChild(el("td", { "class": "implmap-stmt" }, r[2]));
      tr.appendChild(el("td", { "class": r[3] ? "implmap-f" : "implmap-b" }, r[3] ? "▲ facilitator" : "▼ barrier"));
      tr.appendChild(el("td", null, names(r[6], D.domains)));
      tr.appendChild(el("td", null, r[7].map(function (i) { return D.themes[i][1]; }).join(", ")));
      tr.appendChild(el("td", null, names(r[4], D.perspectives)));
      tr.appendChild(el("td", null, r[5] >= 0 ? D.levels[r[5]] : ""));
      var td = el("td");
      var a = el("a", { href: safeHref(s[2] + "#" + r[9]) }, s[0]);
      a.title = s[1];
      td.appendChild(a);
      tr.appendChild(td);
      frag.appendChild(tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    var total = D.rows.length;
    status.textContent = hits.length === total
      ? "Showing all " + total + " findings."
      : "Showing " + hits.length + " of " + total + " findings.";
    where.textContent = hits.length ? "Page " + (state.page + 1) + " of " + pages : "";
    prev.disabled = state.page <= 0;
    next.disabled = state.page >= pages - 1;
    pager.hidden = pages <= 1;
  }
  function update(fromHash) {
    var f;
    if (fromHash) { f = readHash(); setControls(f); } else { f = current(); writeHash(f); }
    state.hits = matches(f);
    state.page = 0;
    render();
  }
  form.addEventListener("change", function () { update(false); });
  q.addEventListener("input", function () { update(false); });
  reset.addEventListener("click", function () { setControls({}); update(false); });
  prev.addEventListener("click", function () { state.page -= 1; render(); });
  next.addEventListener("click", function () { state.page += 1; render(); });
  window.addEventListener("hashchange", function () { update(true); });
  update(true);
}());
