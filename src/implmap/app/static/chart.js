// implmap charting mode: code findings blind with the keyboard, extract findings, reconcile.
// Every text from the review goes in via textContent (never innerHTML); "saved" shows only
// after the server answered that the line is on disk.
"use strict";

(() => {
  const { $, api, setStatus: status, showMessage: message } = window.implmapCommon;
  const { el, buildTerms, same, toTags, chips } = window.implmapTerms;
  const toItems = (tags) => window.implmapTerms.toItems(state.terms, tags);
  const state = {
    session: null, vocab: null, terms: [], keys: [], findings: new Map(), pos: 0,
    draft: [],        // the current finding's tags, in the order added: {kind, domain, construct, theme}
    hits: [], hit: 0, // picker matches and the highlighted one
    suggested: [],    // terms of the numbered suggestions
    chain: Promise.resolve(),
  };

  const queue = (fn) => (state.chain = state.chain.then(fn).catch((err) => {
    status("not saved", "error");
    message(String(err.message || err));
  }));

  function progress(p) {
    $("progress").max = Math.max(p.total, 1);
    $("progress").value = p.done;
    $("progress-text").textContent = `${p.done} of ${p.total} findings coded by you · ${p.agreed} agreed`;
  }

  function drawDraft() {
    chips($("tags"), state.draft, (i) => { state.draft.splice(i, 1); drawDraft(); });
  }

  function add(term) {
    if (!term) return;
    if (term.kind === "construct" && !state.draft.some((x) => x.kind === "domain" && x.domain === term.domain)) {
      state.draft.push(state.terms.find((x) => x.kind === "domain" && x.domain === term.domain));
    }
    if (!state.draft.some((x) => same(x, term))) state.draft.push(term);
    drawDraft();
    status("not saved yet", "saving");
  }

  function search() {
    const q = $("picker-search").value.trim().toLowerCase();
    state.hits = q ? state.terms.filter((t) => t.label.toLowerCase().includes(q) ||
      (t.definition || "").toLowerCase().includes(q)).slice(0, 30) : [];
    state.hit = 0;
    drawPicker();
  }

  function drawPicker() {
    const list = $("picker");
    list.replaceChildren();
    state.hits.forEach((t, i) => {
      const li = el("li", null, i === state.hit ? "hit" : "");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === state.hit));
      li.append(el("span", t.label, "term"), el("span", t.definition || "", "definition"));
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); add(t); });
      list.appendChild(li);
    });
  }

  // ---------------------------------------------------------------- findings
  function drawList() {
    const list = $("finding-list");
    list.replaceChildren();
    for (const s of state.studies) {
      const li = el("li", null, "study");
      li.appendChild(el("span", s.id, "study-id"));
      const ol = el("ol");
      for (const f of s.findings) {
        const key = `${s.id}/${f.id}`;
        // state.findings holds the live copy (save and withdraw update it), not state.studies
        const item = el("li", null, state.findings.get(key).mine ? "coded" : "");
        const b = el("button", `${f.id} ${f.statement}`);
        b.type = "button";
        b.dataset.key = key;
        if (state.keys[state.pos] === key) b.setAttribute("aria-current", "true");
        b.addEventListener("click", () => show(state.keys.indexOf(key)));
        item.appendChild(b);
        ol.appendChild(item);
      }
      li.appendChild(ol);
      list.appendChild(li);
    }
  }

  async function load() {
    const data = await api("/api/chart/studies");
    state.studies = data.studies;
    state.keys = [];
    state.findings.clear();
    for (const s of data.studies) {
      for (const f of s.findings) {
        const key = `${s.id}/${f.id}`;
        state.keys.push(key);
        state.findings.set(key, { study: s.id, ...f });
      }
    }
    progress(data.progress);
  }

  async function show(pos) {
    if (!state.keys.length) { $("finding").hidden = true; drawList(); return; }
    state.pos = Math.max(0, Math.min(pos, state.keys.length - 1));
    const f = state.findings.get(state.keys[state.pos]);
    $("finding").hidden = false;
    $("f-pos").textContent = `${f.study} · ${f.id} (${state.pos + 1} of ${state.keys.length})`;
    $("f-type").textContent = f.type;
    $("f-type").className = `badge ${f.type}`;
    $("f-statement").textContent = f.statement;
    const dl = $("f-details");
    dl.replaceChildren();
    for (const [k, v] of [["Perspective", f.perspective.join(", ")], ["Level", f.level], ["Source", f.source]]) {
      if (v) dl.append(el("dt", k), el("dd", v));
    }
    $("agreed").hidden = !f.agreed;
    $("f-agreed").hidden = !f.agreed;
    $("f-agreed").textContent = "agreed";
    if (f.agreed) {
      $("agreed-by").textContent = `by ${f.agreed.by.join(", ")}`;
      chips($("agreed-tags"), toItems(f.agreed));
    }
    state.draft = toItems(f.mine);
    $("note").value = f.mine ? f.mine.note : "";
    drawDraft();
    drawList();
    fillExtract(f);
    status(f.mine ? "coded" : "not coded yet", f.mine ? "saved" : "");
    state.suggested = [];
    const box = $("suggestions");
    box.replaceChildren(el("li", "…", "muted"));
    const key = state.keys[state.pos];
    const sug = await api(`/api/chart/suggestions?study=${encodeURIComponent(f.study)}&finding=${encodeURIComponent(f.id)}`);
    if (state.keys[state.pos] !== key) return;
    box.replaceChildren();
    for (const s of [...(sug.domain || []), ...(sug.theme || [])]) {
      const t = state.terms.find((x) => (x.kind === "domain" && x.domain === s.label) ||
                                        (x.kind === "theme" && x.theme === s.label));
      if (!t || state.suggested.length >= 9) continue;
      state.suggested.push(t);
      const li = el("li", `${t.label} (${Math.round(s.p * 100)}%)`);
      li.addEventListener("click", () => add(t));
      box.appendChild(li);
    }
    if (!state.suggested.length) box.appendChild(el("li", "no suggestions (too few agreed findings)", "muted"));
  }

  const current = () => state.findings.get(state.keys[state.pos]);

  function save() {
    const f = current();
    if (!f) return;
    const tags = toTags(state.draft);
    status("saving…", "saving");
    return queue(async () => {
      const data = await api("/api/chart/code", { study: f.study, finding: f.id, ...tags, note: $("note").value });
      f.mine = data.mine;
      progress(data.progress);
      message("");
      status("saved", "saved");
      drawList();
    });
  }

  function withdraw() {
    const f = current();
    if (!f) return;
    return queue(async () => {
      const data = await api("/api/chart/withdraw", { study: f.study, finding: f.id });
      f.mine = null;
      progress(data.progress);
      state.draft = [];
      drawDraft();
      drawList();
      message("");
      status("withdrawn", "saved");
    });
  }

  // ---------------------------------------------------------------- extraction
  function options(select, values, blank) {
    select.replaceChildren(...(blank ? [el("option", "(none)")] : []),
      ...values.map((v) => { const o = el("option", v); o.value = v; return o; }));
    if (blank) select.firstChild.value = "";
  }

  function fillExtract(f) {
    $("x-study").value = f.study;
    $("x-statement").value = f.statement;
    $("x-type").value = f.type;
    $("x-perspective").value = f.perspective.join(", ");
    $("x-level").value = f.level || "";
    $("x-source").value = f.source || "";
  }

  function extract(action) {
    const f = current();
    const body = { action, study: action === "add" ? $("x-study").value : f.study };
    if (action !== "add") body.finding = f.id;
    if (action !== "delete") {
      Object.assign(body, { statement: $("x-statement").value, type: $("x-type").value,
        perspective: $("x-perspective").value, level: $("x-level").value, source: $("x-source").value });
    }
    return queue(async () => {
      const data = await api("/api/chart/extract", body);
      await load();
      const key = `${data.entry.study}/${data.entry.finding}`;
      message("");
      status(action === "delete" ? "deleted (kept in the history)" : "saved", "saved");
      await show(action === "delete" ? state.pos : state.keys.indexOf(key));
    });
  }

  // ---------------------------------------------------------------- reconciling
  async function drawReconcile() {
    const data = await api("/api/chart/reconcile");
    const list = $("rec-list");
    list.replaceChildren();
    if (!data.findings.length) list.appendChild(el("li", "No finding has two codings yet.", "muted"));
    for (const r of data.findings) {
      const li = el("li", null, r.agree ? "agree" : "disagree");
      li.dataset.key = `${r.study}/${r.finding}`;
      li.appendChild(el("p", `${r.study} · ${r.finding} · ${r.type}`, "muted"));
      li.appendChild(el("p", r.statement, "statement"));
      li.appendChild(el("span", r.agreed ? `agreed by ${r.agreed.by.join(", ")}` :
        (r.agree ? "the coders agree" : "the coders disagree"), `badge ${r.agree ? "agree" : "disagree"}`));
      let draft = toItems(r.agreed || r.codings[0]);
      const ul = el("ul", null, "chips draft");
      const redraw = () => chips(ul, draft, (i) => { draft.splice(i, 1); redraw(); });
      const agree = (items) => queue(async () => {
        await api("/api/chart/reconcile", { study: r.study, finding: r.finding, ...toTags(items) });
        status("agreed tags saved", "saved");
        message("");
        await load();
        await drawReconcile();
      });
      for (const c of r.codings) {
        const side = el("div", null, "side");
        side.appendChild(el("h3", c.coder));
        const cu = el("ul", null, "chips");
        chips(cu, toItems(c));
        const b = el("button", `Accept ${c.coder}'s tags`);
        b.type = "button";
        b.dataset.accept = c.coder;
        b.addEventListener("click", () => agree(toItems(c)));
        side.append(cu, b);
        li.appendChild(side);
      }
      const edit = el("div", null, "edit");
      edit.appendChild(el("h3", "Agreed tags (edit)"));
      const input = el("input");
      input.setAttribute("list", "terms");
      input.placeholder = "add a term";
      input.addEventListener("change", () => {
        const t = state.terms.find((x) => x.label === input.value);
        if (t) { draft.push(t); input.value = ""; redraw(); }
      });
      const save = el("button", "Save the agreed tags");
      save.type = "button";
      save.addEventListener("click", () => agree(draft));
      edit.append(ul, input, save);
      li.appendChild(edit);
      redraw();
      list.appendChild(li);
    }
  }

  function view(name) {
    for (const b of document.querySelectorAll("#views button[data-view]")) {
      b.setAttribute("aria-pressed", String(b.dataset.view === name));
    }
    $("code-view").hidden = name !== "code";
    $("reconcile-view").hidden = name !== "reconcile";
    $("legend").hidden = name !== "code";
    if (name === "reconcile") queue(drawReconcile);
    else queue(() => show(state.pos));
  }

  // ---------------------------------------------------------------- keys and clicks
  const ACTIONS = {
    save, withdraw, "x-add": () => extract("add"), "x-edit": () => extract("edit"),
    "x-delete": () => extract("delete"),
  };
  const typing = (t) => t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");

  $("picker-search").addEventListener("input", search);
  $("picker-search").addEventListener("keydown", (ev) => {
    const box = ev.target;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const n = state.hits.length;
      if (n) state.hit = (state.hit + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
      drawPicker();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      add(state.hits[state.hit]);
      box.value = "";
      search();
    } else if (ev.key === "Backspace" && !box.value && state.draft.length) {
      ev.preventDefault();
      state.draft.pop();
      drawDraft();
      status("not saved yet", "saving");
    } else if (ev.key === "Escape") {
      box.value = "";
      search();
      box.blur();
    }
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if ($("code-view").hidden || !state.keys.length) return;
    const k = ev.key;
    if (k === "j" || k === "ArrowDown") queue(() => show(state.pos + 1));
    else if (k === "k" || k === "ArrowUp") queue(() => show(state.pos - 1));
    else if (k === "/") $("picker-search").focus();
    else if (k === "s") save();
    else if (k === "w") withdraw();
    else if (/^[1-9]$/.test(k)) add(state.suggested[Number(k) - 1]);
    else if (k === "Backspace" && state.draft.length) { state.draft.pop(); drawDraft(); }
    else return;
    ev.preventDefault();
  });

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-action]");
    if (btn && ACTIONS[btn.dataset.action]) ACTIONS[btn.dataset.action]();
    const tab = ev.target.closest("button[data-view]");
    if (tab) view(tab.dataset.view);
  });

  async function vocabulary() {
    state.vocab = await api("/api/chart/vocabulary");
    state.terms = buildTerms(state.vocab);
    $("terms").replaceChildren(...state.terms.map((t) => { const o = el("option"); o.value = t.label; return o; }));
  }

  // the codebook panel (codebook.js) changed the themes: new terms; the unsaved tags follow a merge
  document.addEventListener("implmap:codebook", (ev) => queue(async () => {
    const into = ev.detail.merged ? ev.detail.theme : null;
    const draft = state.draft.map((t) => (t.kind === "theme" && into && ev.detail.merged.includes(t.theme) ? { ...t, theme: into } : t));
    await vocabulary();
    search();
    await load();
    if (!$("code-view").hidden && state.keys.length) await show(state.pos);
    const fresh = (t) => (t.kind !== "theme" ? t : state.terms.find((x) => x.kind === "theme" && x.theme === t.theme) || t);
    state.draft = draft.map(fresh).filter((t, i, all) => all.findIndex((x) => same(x, t)) === i);
    drawDraft();
  }));

  window.implmapCommon.boot("/api/chart/session", "charting", async (s) => {
    state.session = s;
    $("tab-reconcile").hidden = !s.can_reconcile;
    await vocabulary();
    options($("x-type"), state.vocab.types);
    options($("x-level"), state.vocab.levels, true);
    await load();
    options($("x-study"), state.studies.map((x) => x.id));
    const start = state.keys.findIndex((k) => !state.findings.get(k).mine);
    await show(start < 0 ? 0 : start);
  });
})();
