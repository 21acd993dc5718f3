// implmap dedupe mode: two records side by side, decided with the keyboard. Every piece of
// record text goes in via textContent or text nodes (never innerHTML); a decision shows
// "saved" only after the server answered that it is on disk.
"use strict";

(() => {
  const { $, api, setStatus: status, showMessage: message } = window.implmapCommon;
  const state = {
    session: null,
    pairs: [],          // brief: {n, a, b, rule, in_force, mine, disagree, settled}
    pos: 0,
    cache: new Map(),   // pair number -> full pair
    chain: Promise.resolve(),
  };
  const LABELS = { merge: "same work", keep_apart: "keep apart" };

  function progress(p) {
    const bar = $("progress");
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    $("progress-text").textContent =
      `${p.done} of ${p.total} pairs decided (${p.mine} by you` +
      (p.settled ? `; ${p.settled} settled by other pairs' decisions)` : ")");
  }

  // Put text into el; with `other`, wrap the words that the other value lacks in <mark>.
  function words(el, text, other) {
    el.replaceChildren();
    text = text == null ? "" : String(text);
    if (other == null || !text || !other) { el.textContent = text; return; }
    const theirs = new Set((String(other).toLowerCase().match(/[\p{L}\p{N}]+/gu)) || []);
    for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
      if (!part) continue;
      if (/^[\p{L}\p{N}]+$/u.test(part) && !theirs.has(part.toLowerCase())) {
        const mark = document.createElement("mark");
        mark.className = "word-diff";
        mark.textContent = part;
        el.appendChild(mark);
      } else {
        el.appendChild(document.createTextNode(part));
      }
    }
  }

  function render(p) {
    $("pair").hidden = false;
    $("people").hidden = false;
    $("actions").hidden = false;
    $("position").textContent = `Pair ${p.n + 1} of ${state.pairs.length}`;
    const force = $("in-force");
    force.textContent = p.in_force ? `in force: ${LABELS[p.in_force]}` :
      p.settled ? "settled: one group through other pairs' decisions" : "no decision in force";
    force.className = `badge ${p.in_force || (p.settled ? "settled" : "")}`;
    $("disagree").hidden = !p.disagree;
    $("rule").textContent = p.rule || "";
    $("reason").textContent = p.reason || "";
    $("id-a").textContent = p.a;
    $("id-b").textContent = p.b;
    const rows = $("field-rows");
    rows.replaceChildren();
    for (const f of p.fields) {
      const tr = document.createElement("tr");
      tr.dataset.field = f.name;
      if (f.differ) tr.classList.add("differ");
      if (!f.a || !f.b) tr.classList.add("missing");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = f.label;
      const ta = document.createElement("td");
      const tb = document.createElement("td");
      ta.className = "a";
      tb.className = "b";
      const wordy = f.differ && ["title", "authors", "journal", "abstract"].includes(f.name);
      words(ta, f.a, wordy ? f.b : null);
      words(tb, f.b, wordy ? f.a : null);
      tr.append(th, ta, tb);
      rows.appendChild(tr);
    }
    const list = $("decision-list");
    list.replaceChildren();
    for (const d of p.decisions) {
      const li = document.createElement("li");
      if (p.disagree) li.classList.add("disagree");
      li.dataset.by = d.by;
      li.textContent = `${d.name}: ${LABELS[d.action] || d.action}` +
        (d.note ? ` (${d.note})` : "") + (d.time ? `, ${d.time.slice(0, 16).replace("T", " ")}` : "");
      list.appendChild(li);
    }
    if (!p.decisions.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No one has decided this pair yet.";
      list.appendChild(li);
    }
    progress(p.progress);
  }

  async function show(n) {
    if (!state.pairs.length) return;
    state.pos = Math.max(0, Math.min(n, state.pairs.length - 1));
    // always asked afresh: another person may have decided the pair meanwhile
    const p = await api(`/api/dedupe/pairs/${state.pos}`);
    if (p.progress.total > state.pairs.length) {  // a re-run brought up pairs: at the end
      state.pairs = (await api("/api/dedupe/pairs")).pairs;
    }
    remember(p);
    if (p.n === state.pos) render(p);
  }

  function remember(p) {
    state.cache.set(p.n, p);
    state.pairs[p.n] = { n: p.n, a: p.a, b: p.b, rule: p.rule, in_force: p.in_force,
                         mine: p.mine, disagree: p.disagree, settled: p.settled };
    if (p.settled_pairs) {
      const settled = new Set(p.settled_pairs);
      for (const b of state.pairs) if (b) b.settled = settled.has(b.n);
    }
  }

  // the next pair after `from` that still needs this reviewer (not decided by them, not
  // settled by others' decisions); `from` + 1 when there is none
  function nextOpen(from) {
    for (let n = from + 1; n < state.pairs.length; n++) {
      const b = state.pairs[n];
      if (b && b.mine == null && !b.settled) return n;
    }
    return Math.min(from + 1, state.pairs.length - 1);
  }

  function queue(work) {
    state.chain = state.chain.then(work).catch((err) => {
      status("not saved", "error");
      message(String(err.message || err));
    });
    return state.chain;
  }

  function decide(action) {
    const brief = state.pairs[state.pos];
    if (!brief) return;
    status("saving…", "saving");
    return queue(async () => {
      const data = await api("/api/dedupe/decide", { a: brief.a, b: brief.b, action });
      remember(data.pair);
      message("");
      status("saved ✓", "saved");
      if (state.pos === data.pair.n && state.pos < state.pairs.length - 1) {
        await show(nextOpen(state.pos));
      } else {
        render(state.cache.get(state.pos) || data.pair);
        progress(data.pair.progress);
      }
    });
  }

  function undo() {
    status("undoing…", "saving");
    return queue(async () => {
      const data = await api("/api/dedupe/undo", {});
      if (!data.pair) { status("nothing to undo", ""); return; }
      remember(data.pair);
      status("undone ✓", "saved");
      await show(data.pair.n);
    });
  }

  function rerun() {
    $("run").textContent = "re-running dedupe…";
    return queue(async () => {
      const data = await api("/api/dedupe/rerun", {});
      runText(data.run);
    });
  }

  function runText(run) {
    if (!run) { $("run").textContent = ""; return; }
    $("run").textContent = run.error ? `dedupe re-run failed: ${run.error}` :
      `dedupe: ${run.groups} groups, ${run.uncertain} pairs open`;
  }

  function move(step) {
    return queue(() => show(state.pos + step));
  }

  const ACTIONS = {
    merge: () => decide("merge"),
    keep_apart: () => decide("keep_apart"),
    skip: () => move(1),
    next: () => move(1),
    prev: () => move(-1),
    undo: () => undo(),
    rerun: () => rerun(),
  };
  const KEYS = { s: "merge", a: "keep_apart", k: "skip", " ": "skip", u: "undo",
                 ArrowRight: "next", ArrowLeft: "prev" };

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const action = KEYS[ev.key];
    if (!action || !state.pairs.length) return;
    ev.preventDefault();
    ACTIONS[action]();
  });

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-action]");
    if (btn && ACTIONS[btn.dataset.action]) ACTIONS[btn.dataset.action]();
  });

  window.implmapCommon.boot("/api/dedupe/session", "dedupe", async (s) => {
    state.session = s;
    runText(s.last_run);
    const list = await api("/api/dedupe/pairs");
    state.pairs = list.pairs;
    progress(list.progress);
    if (!state.pairs.length) $("done").hidden = false;
    else await show(list.start);
  });
})();
