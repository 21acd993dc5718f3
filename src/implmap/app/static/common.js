// What both pages of the local app share: talking to the server, and the status line.
// Record text never goes through here as HTML: callers set textContent.
"use strict";

window.implmapCommon = (() => {
  const $ = (id) => document.getElementById(id);

  // GET, or POST a JSON body; an error answer throws with the server's message.
  async function api(path, body) {
    const opts = { credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(path, opts);
    let data = null;
    try { data = await resp.json(); } catch (_) { data = null; }
    if (!resp.ok) {
      const msg = (data && data.error) || `${resp.status} ${resp.statusText}`;
      throw new Error(msg);
    }
    return data;
  }

  function setStatus(text, cls) {
    const el = $("status");
    el.textContent = text;
    el.className = cls || "";
  }

  function showMessage(text) {
    const el = $("message");
    el.textContent = text || "";
    el.hidden = !text;
  }

  // Start a page: read the session at `path`, show the review and who (`what` · name), then
  // run `rest(session)`. An error goes to the message line; the page is then marked ready.
  async function boot(path, what, rest) {
    try {
      const s = await api(path);
      $("review-title").textContent = s.review_title || "implmap";
      $("who").textContent = `${what} · ${s.reviewer_name}`;
      await rest(s);
    } catch (err) {
      showMessage(String(err.message || err));
    }
    document.body.dataset.ready = "1";
  }

  return { $, api, boot, setStatus, showMessage };
})();
