// implmap screening app. Keyboard first; every piece of record text goes in via textContent
// (never innerHTML), links only for http(s) URLs the server vetted; a decision shows "saved"
// only after the server answered that it is on disk.
"use strict";

(() => {
  const { $, api, setStatus, showMessage } = window.implmapCommon;
  const { buildTerms, highlight, link, fullText, decisionList, resolutionText } =
    window.implmapText;
  const state = {
    session: null,
    order: [],          // record IDs in screening order (decided first, then the queue)
    decided: new Set(), // this reviewer's decided records (screen) or resolved ones (resolve)
    pos: 0,
    cache: new Map(),   // record ID -> record payload
    pending: new Map(), // record ID -> Promise of a fetch batch
    chain: Promise.resolve(),
    reason: null,
    excludePending: false,
    sinceRefresh: 0,
    drafts: new Map(),  // record ID -> note typed but not saved yet
  };
  const PREFETCH = 12;
  const REFRESH_EVERY = 25;

  // ------------------------------------------------------------------ talking to the server
  function fetchRecords(ids) {
    const want = ids.filter((id) => !state.cache.has(id) && !state.pending.has(id));
    if (want.length) {
      const q = want.map(encodeURIComponent).join(",");
      const p = api(`/api/records?ids=${q}`).then((data) => {
        for (const rec of data.records) state.cache.set(rec.id, rec);
        for (const id of want) state.pending.delete(id);
      }, (err) => {
        for (const id of want) state.pending.delete(id);
        throw err;
      });
      for (const id of want) state.pending.set(id, p);
    }
    return Promise.all(ids.map((id) => state.pending.get(id)).filter(Boolean));
  }

  async function getRecord(id) {
    if (!state.cache.has(id)) await fetchRecords([id]);
    return state.cache.get(id);
  }

  function prefetch() {
    const ids = state.order.slice(state.pos + 1, state.pos + 1 + PREFETCH);
    if (state.pos > 0) ids.push(state.order[state.pos - 1]);
    fetchRecords(ids).catch(() => {});
  }

  // ---------------------------------------------------------------------------- rendering
  function renderProgress(p) {
    if (!p) return;
    $("progress").max = Math.max(1, p.total);
    $("progress").value = p.done;
    const what = state.session.mode === "resolve" ? "resolved" : "screened by you";
    $("progress-text").textContent = `${p.done} / ${p.total} ${what}`;
    scheduleEstimate();
  }

  // The stopping estimate (from this reviewer's own decisions only) takes a moment to compute:
  // it is asked for once the reviewer pauses, never on the way of a decision.
  let estimateTimer = null;
  function scheduleEstimate() {
    if (state.session.mode !== "screen") return;
    clearTimeout(estimateTimer);
    estimateTimer = setTimeout(async () => {
      try {
        const data = await api("/api/estimate");
        $("estimate").textContent = data.sentence || "";
        $("estimate").title = data.detail || "";
      } catch (_) { /* a hint only: keep the last one */ }
    }, 700);
  }

  function currentId() { return state.order[state.pos]; }

  async function render() {
    const id = currentId();
    const atEnd = id === undefined;
    $("record").hidden = atEnd;
    $("actions").hidden = atEnd;
    $("note-box").hidden = atEnd;
    $("done").hidden = !atEnd;
    if (atEnd) {
      for (const s of ["others", "fulltext", "reasons"]) $(s).hidden = true;
      $("done-text").textContent = state.order.length
        ? "You have reached the end of the list. Press k to go back."
        : (state.session.mode === "resolve" ? "There are no conflicts at this stage." : "There are no records to screen at this stage.");
      return;
    }
    const rec = await getRecord(id);
    if (currentId() !== id || !rec) return; // moved on meanwhile
    $("position").textContent = `${state.pos + 1} of ${state.order.length}`;
    $("record-id").textContent = rec.id;
    highlight($("title"), rec.title || "(no title)");
    $("authors").textContent = (rec.authors || []).join("; ");
    $("journal").textContent = rec.journal || "";
    $("year").textContent = rec.year ? `(${rec.year})` : "";
    const links = $("links");
    links.replaceChildren();
    if (rec.doi) {
      links.appendChild(document.createTextNode("DOI: "));
      links.appendChild(link(rec.doi, rec.doi_url));
    }
    for (const u of rec.urls || []) {
      links.appendChild(document.createTextNode(links.childNodes.length ? "  ·  " : ""));
      links.appendChild(link(u, u));
    }
    const kws = $("keywords");
    kws.replaceChildren();
    for (const k of rec.keywords || []) {
      const s = document.createElement("span");
      s.className = "kw";
      highlight(s, k);
      kws.appendChild(s);
    }
    const textless = !(rec.title || "").trim() && !(rec.abstract || "").trim();
    highlight($("abstract"), rec.abstract || (textless
      ? "No title and no abstract: the ranking cannot judge this record, so it comes first, for a look by hand (its DOI, journal or full text)."
      : "(no abstract)"));

    const own = state.session.mode === "resolve" ? rec.resolution : rec.mine;
    const badge = $("my-decision");
    badge.textContent = own ? (state.session.mode === "resolve" ? `resolved: ${own.decision}` : own.decision) : "";
    badge.className = `badge ${own ? own.decision : ""}`;
    if (state.session.mode === "screen" && rec.final) {
      badge.textContent += `${own ? " · " : ""}final: ${rec.final}`;
    }
    $("note").value = state.drafts.has(id) ? state.drafts.get(id) : (own && own.note ? own.note : "");
    state.reason = own && own.reason ? own.reason : null;
    state.excludePending = false;
    renderReasons();
    renderFullText(rec);
    renderOthers(rec);
    prefetch();
  }

  function renderReasons() {
    const s = state.session;
    const box = $("reasons");
    box.hidden = !(s.stage_is_full_text || s.reasons_required);
    box.classList.toggle("pending", state.excludePending);
    $("reason-required").textContent = s.reasons_required ? "(required to exclude; press 1–9)" : "(press 1–9)";
    const list = $("reason-list");
    list.replaceChildren();
    s.exclusion_reasons.forEach((r, i) => {
      const li = document.createElement("li");
      li.textContent = i < 9 ? `[${i + 1}] ${r}` : r;
      if (r === state.reason) li.className = "chosen";
      list.appendChild(li);
    });
  }

  function renderFullText(rec) {
    const box = $("fulltext");
    box.hidden = !state.session.stage_is_full_text;
    if (!box.hidden) fullText($("fulltext-status"), rec.full_text);
  }

  function renderOthers(rec) {
    const box = $("others");
    box.hidden = state.session.mode !== "resolve";
    if (box.hidden) return;
    decisionList($("decision-list"), rec.decisions || []);
    $("resolution").textContent = resolutionText(rec.resolution);
  }

  // ----------------------------------------------------------------------------- actions
  function firstUndecided(from) {
    for (let i = from; i < state.order.length; i++) {
      if (!state.decided.has(state.order[i])) return i;
    }
    return state.order.length;
  }

  function go(pos) {
    state.pos = Math.max(0, Math.min(pos, state.order.length));
    showMessage("");
    return render();
  }

  function enqueue(fn) {
    state.chain = state.chain.then(fn).catch((err) => {
      setStatus("not saved", "error");
      showMessage(err.message || String(err));
    });
    return state.chain;
  }

  async function decide(decision) {
    const id = currentId();
    if (id === undefined) return;
    const s = state.session;
    if (decision === "exclude" && s.reasons_required && !state.reason) {
      state.excludePending = true;
      renderReasons();
      showMessage("Pick an exclusion reason with its number key (1–9); it saves the exclusion.");
      return;
    }
    const body = {
      record: id,
      decision,
      reason: decision === "exclude" ? state.reason : null,
      note: $("note").value,
    };
    setStatus("saving…", "saving");
    const data = await api(s.mode === "resolve" ? "/api/resolve" : "/api/decide", body);
    const rec = state.cache.get(id);
    if (rec) {
      if (s.mode === "resolve") rec.resolution = data.entry; else rec.mine = data.entry;
    }
    state.decided.add(id);
    state.drafts.delete(id);
    renderProgress(data.progress);
    setStatus("saved ✓", "saved");
    state.sinceRefresh++;
    if (state.sinceRefresh >= REFRESH_EVERY && s.mode === "screen") {
      state.sinceRefresh = 0;
      await loadQueue(id);
    }
    await go(firstUndecided(state.pos + 1));
  }

  async function undo() {
    if (state.session.mode === "resolve") {
      showMessage("Undo is for screening; in resolve mode record a new final decision instead.");
      return;
    }
    setStatus("undoing…", "saving");
    const data = await api("/api/undo", {});
    if (!data.record) {
      setStatus("", "");
      showMessage("Nothing to undo in this session.");
      return;
    }
    const rec = state.cache.get(data.record);
    if (rec) rec.mine = data.entry;
    if (data.entry) state.decided.add(data.record); else state.decided.delete(data.record);
    renderProgress(data.progress);
    setStatus("undone ✓", "saved");
    const i = state.order.indexOf(data.record);
    await go(i >= 0 ? i : state.pos);
  }

  async function saveNote() {
    const id = currentId();
    const rec = state.cache.get(id);
    const own = rec && (state.session.mode === "resolve" ? rec.resolution : rec.mine);
    if (own && $("note").value !== (own.note || "")) {
      // keep the decision, record the new note with it
      state.reason = own.reason || null;
      setStatus("saving…", "saving");
      const url = state.session.mode === "resolve" ? "/api/resolve" : "/api/decide";
      const data = await api(url, { record: id, decision: own.decision, reason: own.reason || null, note: $("note").value });
      if (state.session.mode === "resolve") rec.resolution = data.entry; else rec.mine = data.entry;
      state.drafts.delete(id);
      setStatus("note saved ✓", "saved");
    }
  }

  async function pickReason(n) {
    if ($("reasons").hidden) return;
    const reasons = state.session.exclusion_reasons;
    if (n < 1 || n > reasons.length) return;
    state.reason = reasons[n - 1];
    renderReasons();
    if (state.excludePending) {
      state.excludePending = false;
      await decide("exclude");
    }
  }

  async function notRetrieved() {
    const id = currentId();
    if (id === undefined || !state.session.stage_is_full_text) return;
    setStatus("saving…", "saving");
    const data = await api("/api/full-text/not-retrieved", { record: id });
    const rec = state.cache.get(id);
    if (rec) rec.full_text = data.full_text;
    setStatus("saved ✓", "saved");
    renderFullText(rec);
  }

  function openFullText() {
    const a = $("fulltext-link");
    if (a) window.open(a.href, "_blank", "noopener");
  }

  // ------------------------------------------------------------------------------ startup
  // keep: the record on screen. When it is undecided it moves to the head of the undecided
  // part, so that after deciding it the page goes on with the best-ranked records.
  async function loadQueue(keep, given) {
    const data = given || await api("/api/queue");
    state.order = data.order;
    state.decided = new Set(data.decided);
    renderProgress(data.progress);
    if (keep !== undefined && state.order.includes(keep)) {
      if (!state.decided.has(keep)) {
        state.order = state.order.filter((id) => id !== keep);
        state.order.splice(data.decided.length, 0, keep);
      }
      state.pos = state.order.indexOf(keep);
    } else {
      state.pos = firstUndecided(0);
    }
    if (data.ordering === "ranking") {
      // the ranking is still being computed on the server: pick it up when it is ready
      setTimeout(() => enqueue(() => loadQueue(currentId()).then(renderPosition)), 2000);
    }
    return data;
  }

  function renderPosition() {
    if (currentId() !== undefined) {
      $("position").textContent = `${state.pos + 1} of ${state.order.length}`;
    }
  }

  function onKey(ev) {
    const t = ev.target;
    if (t && t.id === "note") {
      if (ev.key === "Enter") { ev.preventDefault(); t.blur(); enqueue(saveNote); }
      else if (ev.key === "Escape") { ev.preventDefault(); t.blur(); }
      return;
    }
    if (ev.altKey || ev.metaKey) return;
    if (ev.ctrlKey) {
      if (ev.key === "z" || ev.key === "Z") { ev.preventDefault(); enqueue(undo); }
      return;
    }
    const k = ev.key;
    const act = {
      i: () => enqueue(() => decide("include")),
      e: () => enqueue(() => decide("exclude")),
      m: () => enqueue(() => decide("maybe")),
      u: () => enqueue(undo),
      n: () => { $("note").focus(); },
      j: () => enqueue(() => go(state.pos + 1)),
      ArrowRight: () => enqueue(() => go(state.pos + 1)),
      k: () => enqueue(() => go(state.pos - 1)),
      ArrowLeft: () => enqueue(() => go(state.pos - 1)),
      r: () => enqueue(notRetrieved),
      f: () => openFullText(),
    }[k];
    if (act) { ev.preventDefault(); act(); return; }
    if (/^[1-9]$/.test(k)) { ev.preventDefault(); enqueue(() => pickReason(Number(k))); }
  }

  function onClick(ev) {
    const b = ev.target.closest("button[data-action]");
    if (!b) return;
    const a = b.dataset.action;
    if (a === "include" || a === "exclude" || a === "maybe") enqueue(() => decide(a));
    else if (a === "undo") enqueue(undo);
    else if (a === "next") enqueue(() => go(state.pos + 1));
    else if (a === "prev") enqueue(() => go(state.pos - 1));
    else if (a === "not-retrieved") enqueue(notRetrieved);
    b.blur();
  }

  async function start() {
    try {
      const [s, queue] = await Promise.all([api("/api/session"), api("/api/queue")]);
      state.session = s;
      document.body.classList.add(`mode-${s.mode}`);
      if (s.stage_is_full_text) document.body.classList.add("stage-ft");
      $("review-title").textContent = s.review_title;
      $("who").textContent = `${s.mode === "resolve" ? "Resolving" : "Screening"} · ${s.stage_name} · ${s.reviewer_name}`;
      document.title = `${s.mode === "resolve" ? "Resolve" : "Screen"} · ${s.review_title}`;
      buildTerms(s.include_terms || [], s.exclude_terms || []);
      $("btn-undo").hidden = s.mode === "resolve";
      await loadQueue(undefined, queue);
      await render();
      document.body.dataset.ready = "1";
    } catch (err) {
      showMessage(`Could not start: ${err.message}`);
    }
  }

  document.addEventListener("keydown", onKey);
  $("note").addEventListener("input", () => {
    const id = currentId();
    if (id !== undefined) state.drafts.set(id, $("note").value);
  });
  document.addEventListener("click", onClick);
  start();
})();
