// implmap charting mode: the codebook panel (the review's themes: list, add, rename, describe,
// merge). Loaded after chart.js; after a change it fires "implmap:codebook" on document and
// chart.js reloads the picker's terms. Every text from the review goes in via textContent.
"use strict";

(() => {
  const { $, api, setStatus: status } = window.implmapCommon;
  const { el } = window.implmapTerms;
  let themes = [];

  function say(text) {
    $("cb-message").textContent = text || "";
    $("cb-message").hidden = !text;
  }

  function option(t) {
    const o = el("option", `${t.name} (${t.id})`);
    o.value = t.id;
    return o;
  }

  function draw(data) {
    themes = data.themes;
    const keep = { edit: $("cb-edit-id").value, into: $("cb-merge-into").value };
    $("cb-list").replaceChildren(...themes.map((t) => {
      const tr = el("tr");
      tr.dataset.id = t.id;
      tr.append(el("td", t.id), el("td", t.name), el("td", t.description), el("td", t.agreed));
      return tr;
    }));
    if (!themes.length) $("cb-list").appendChild(el("tr")).appendChild(el("td", "No themes yet."));
    $("cb-edit-id").replaceChildren(...themes.map(option));
    $("cb-merge-into").replaceChildren(...themes.map(option));
    for (const [box, value] of [["cb-edit-id", keep.edit], ["cb-merge-into", keep.into]]) {
      if (themes.some((t) => t.id === value)) $(box).value = value;
    }
    const sources = $("cb-merge-sources");
    sources.replaceChildren(el("legend", "Merge these themes"), ...themes.map((t) => {
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.value = t.id;
      label.append(box, ` ${t.name} (${t.id})`);
      return label;
    }));
    fillEdit();
    $("cb-confirm-box").hidden = true;
  }

  function fillEdit() {
    const t = themes.find((x) => x.id === $("cb-edit-id").value);
    $("cb-edit-name").value = t ? t.name : "";
    $("cb-edit-desc").value = t ? t.description : "";
  }

  async function change(action, body) {
    say("");
    status("saving…", "saving");
    try {
      const data = await api(`/api/chart/themes/${action}`, body);
      draw(data);
      status("codebook saved", "saved");
      document.dispatchEvent(new CustomEvent("implmap:codebook", { detail: data }));
      return data;
    } catch (err) {
      status("not saved", "error");
      say(String(err.message || err));
      return null;
    }
  }

  const merging = () => [...$("cb-merge-sources").querySelectorAll("input:checked")].map((b) => b.value);

  function confirmMerge() {
    say("");
    const sources = merging();
    const into = themes.find((t) => t.id === $("cb-merge-into").value);
    if (!sources.length || !into) { say("Tick at least one theme to merge, and choose the theme to merge into."); return; }
    const named = sources.map((id) => {
      const t = themes.find((x) => x.id === id);
      return `${t.name} (${id}, ${t.agreed} agreed finding${t.agreed === 1 ? "" : "s"})`;
    });
    $("cb-confirm").textContent = `Merge ${named.join(", ")} into ${into.name} (${into.id})? ` +
      `Every agreed finding and every coder's own tags that name ${sources.join(", ")} will name ` +
      `${into.id} instead (once), the coders' logs note the merge, and ${sources.join(", ")} ` +
      "will leave the codebook. This cannot be undone from the app.";
    $("cb-confirm-box").hidden = false;
    $("cb-confirm-yes").focus();
  }

  async function open(show) {
    const panel = $("codebook");
    panel.hidden = !show;
    $("open-codebook").setAttribute("aria-pressed", String(show));
    if (!show) { $("open-codebook").focus(); return; }
    say("");
    try { draw(await api("/api/chart/themes")); } catch (err) { say(String(err.message || err)); }
    $("cb-id").focus();
  }

  $("open-codebook").addEventListener("click", () => open($("codebook").hidden));
  $("cb-edit-id").addEventListener("change", fillEdit);
  $("cb-add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const done = await change("add", { id: $("cb-id").value, name: $("cb-name").value,
                                       description: $("cb-desc").value });
    if (done) { for (const f of ["cb-id", "cb-name", "cb-desc"]) $(f).value = ""; $("cb-id").focus(); }
  });
  for (const form of ["cb-edit-form", "cb-merge-form"]) {
    $(form).addEventListener("submit", (ev) => ev.preventDefault());
  }
  $("cb-rename").addEventListener("click", () => change("rename", { id: $("cb-edit-id").value, name: $("cb-edit-name").value }));
  $("cb-describe").addEventListener("click", () => change("describe", { id: $("cb-edit-id").value, description: $("cb-edit-desc").value }));
  $("cb-merge").addEventListener("click", confirmMerge);
  $("cb-confirm-no").addEventListener("click", () => { $("cb-confirm-box").hidden = true; $("cb-merge").focus(); });
  $("cb-confirm-yes").addEventListener("click", async () => {
    await change("merge", { sources: merging(), into: $("cb-merge-into").value });
    $("cb-merge").focus();
  });

  // keys inside the panel stay in the panel (the coding keys of chart.js do not fire there)
  $("codebook").addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); open(false); }
    ev.stopPropagation();
  });
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (ev.key === "Escape" && !$("codebook").hidden) { open(false); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.key !== "c") return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    ev.preventDefault();
    open($("codebook").hidden);
  });
})();
