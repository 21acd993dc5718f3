// Record text for the screening page, as text nodes only: include/exclude terms highlighted
// with <mark>, links only for http(s) URLs, the full-text line and others' decisions.
"use strict";

window.implmapText = (() => {
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  let termRe = null;
  let termKind = new Map();
  function buildTerms(inc, exc) {
    const parts = [];
    const add = (t, kind) => {
      const term = String(t).trim();
      if (!term) return;
      let pat = escapeRe(term);
      if (pat.endsWith("\\*")) pat = pat.slice(0, -2) + "\\w*"; // "implement*"
      else if (/\w$/.test(term)) pat += "\\b"; // "rat" is not "rate"
      parts.push(pat);
      termKind.set(term.toLowerCase().replace(/\*$/, ""), kind);
    };
    exc.forEach((t) => add(t, "exc"));
    inc.forEach((t) => add(t, "inc"));
    if (parts.length) termRe = new RegExp(`\\b(?:${parts.join("|")})`, "gi");
  }

  function kindOf(match) {
    const m = match.toLowerCase();
    let best = null;
    for (const [term, kind] of termKind) {
      if (m === term || m.startsWith(term)) {
        if (!best || term.length > best[0].length) best = [term, kind];
      }
    }
    return best ? best[1] : "inc";
  }

  // Put text into el, wrapping include/exclude terms in <mark>; text nodes only.
  function highlight(el, text) {
    el.replaceChildren();
    text = text == null ? "" : String(text);
    if (!termRe) { el.textContent = text; return; }
    let last = 0;
    termRe.lastIndex = 0;
    let m;
    while ((m = termRe.exec(text)) !== null) {
      if (m[0] === "") { termRe.lastIndex++; continue; }
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      const mark = document.createElement("mark");
      mark.className = `term-${kindOf(m[0])}`;
      mark.textContent = m[0];
      el.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  function safeHref(url) {
    return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
  }

  function link(text, href) {
    const ok = safeHref(href);
    if (!ok) {
      const span = document.createElement("span");
      span.textContent = text;
      return span;
    }
    const a = document.createElement("a");
    a.href = ok;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = text;
    return a;
  }

  // The full-text line of a record: a local file (a same-origin path the server built), a
  // vetted link, or the status.
  function fullText(el, ft) {
    el.replaceChildren();
    if (!ft) {
      el.textContent = "No full text recorded yet (screening/full_text/retrieval.jsonl).";
    } else if (ft.status === "not_retrieved") {
      el.textContent = "Marked not retrieved.";
    } else if (ft.file_url) {
      el.appendChild(document.createTextNode("Local file: "));
      const a = document.createElement("a");
      a.href = ft.file_url;
      a.target = "_blank";
      a.rel = "noopener";
      a.id = "fulltext-link";
      a.textContent = ft.file || "open";
      el.appendChild(a);
    } else if (ft.url) {
      el.appendChild(document.createTextNode("Link: "));
      const a = link(ft.url, ft.url);
      a.id = "fulltext-link";
      el.appendChild(a);
    } else {
      el.textContent = "Retrieved (no link recorded).";
    }
  }

  // Every reviewer's decision on a record (resolve mode only: the page is not blinded there).
  function decisionList(list, decisions) {
    list.replaceChildren();
    for (const d of decisions) {
      const li = document.createElement("li");
      const who = document.createElement("strong");
      who.textContent = d.reviewer;
      const dec = document.createElement("span");
      dec.className = `badge ${d.decision}`;
      dec.textContent = ` ${d.decision}`;
      li.append(who, dec);
      if (d.reason) li.append(document.createTextNode(` — ${d.reason}`));
      if (d.note) li.append(document.createTextNode(` — note: ${d.note}`));
      list.appendChild(li);
    }
  }

  function resolutionText(r) {
    return r
      ? `Final: ${r.decision}${r.reason ? ` (${r.reason})` : ""} by ${(r.by || []).join(", ")}`
      : "Not resolved yet: press i, e or m to record the final decision.";
  }

  return { buildTerms, highlight, link, safeHref, fullText, decisionList, resolutionText };
})();
