// The terms of the charting picker (TDF domains, constructs, themes) and the chips that show
// a finding's tags; text nodes only.
"use strict";

window.implmapTerms = (() => {
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text != null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function buildTerms(v) {
    const out = [];
    for (const d of v.domains) {
      out.push({ kind: "domain", domain: d.name, label: d.name, definition: d.definition });
      for (const c of d.constructs) {
        out.push({ kind: "construct", domain: d.name, construct: c,
                   label: `${c} (${d.name})`,
                   definition: (d.construct_definitions || {})[c] || d.definition });
      }
    }
    for (const t of v.themes) {
      out.push({ kind: "theme", theme: t.id, label: `theme: ${t.name}`, definition: t.definition });
    }
    return out;
  }
  const same = (a, b) => a.kind === b.kind && a.domain === b.domain &&
    a.construct === b.construct && a.theme === b.theme;
  const label = (t) => t.kind === "construct" ? `${t.domain} › ${t.construct}` : t.label;

  function toItems(terms, tags) {
    const items = [];
    if (!tags) return items;
    for (const t of tags.tdf) {
      items.push(terms.find((x) => x.kind === "domain" && x.domain === t.domain) ||
                 { kind: "domain", domain: t.domain, label: t.domain });
      for (const c of t.constructs || []) {
        items.push({ kind: "construct", domain: t.domain, construct: c, label: c });
      }
    }
    for (const id of tags.themes) {
      items.push(terms.find((x) => x.kind === "theme" && x.theme === id) ||
                 { kind: "theme", theme: id, label: `theme: ${id}` });
    }
    return items;
  }

  function toTags(items) {
    const tdf = new Map();
    const themes = [];
    for (const t of items) {
      if (t.kind === "theme") { if (!themes.includes(t.theme)) themes.push(t.theme); continue; }
      if (!tdf.has(t.domain)) tdf.set(t.domain, []);
      if (t.kind === "construct" && !tdf.get(t.domain).includes(t.construct)) {
        tdf.get(t.domain).push(t.construct);
      }
    }
    return { tdf: [...tdf].map(([domain, constructs]) => ({ domain, constructs })), themes };
  }

  function chips(list, items, remove) {
    list.replaceChildren();
    items.forEach((t, i) => {
      const li = el("li", label(t), `chip ${t.kind}`);
      if (remove) {
        const x = el("button", "×");
        x.type = "button";
        x.setAttribute("aria-label", `remove ${label(t)}`);
        x.addEventListener("click", () => remove(i));
        li.appendChild(x);
      }
      list.appendChild(li);
    });
  }

  return { el, buildTerms, same, label, toItems, toTags, chips };
})();
