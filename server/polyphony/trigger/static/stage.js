// Stage manager: shows a project's cue list and fires cues (GO = next, back, click a row = jump)
// through the REST API, with the write token the operator enters (kept in this browser only).
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const state = { list: null, busy: false, fired: 0 };
  window.stageManager = state;
  $("token").value = localStorage.getItem("openTheaterToken") || "";
  $("token").addEventListener("change", () => localStorage.setItem("openTheaterToken", $("token").value));

  const project = () => $("project").value;
  const base = () => `/opentheater/projects/${encodeURIComponent(project())}/cuelist`;
  const say = (text) => { $("message").textContent = text; };

  async function call(method, path, body) {
    const headers = { "content-type": "application/json" };
    const token = $("token").value.trim();
    if (token) headers.authorization = `Bearer ${token}`;
    const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const doc = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(doc.error || `HTTP ${resp.status}`);
    return doc;
  }

  function render(list) {
    state.list = list;
    const current = list.current;
    const rows = $("cues");
    rows.textContent = "";
    for (const cue of list.cues) {
      const tr = document.createElement("tr");
      tr.dataset.position = String(cue.position);
      if (cue.position === current) tr.className = "current";
      if (cue.position === (current === undefined ? 0 : current + 1)) tr.classList.add("next");
      const pos = document.createElement("td");
      pos.textContent = String(cue.position);
      const label = document.createElement("td");
      label.textContent = cue.label;
      tr.append(pos, label);
      tr.addEventListener("click", () => fire("jump", { position: cue.position }));
      rows.append(tr);
    }
    $("position").textContent = current === undefined ? "ready" : `current: ${current} of ${list.cues.length}`;
    $("audience").href = `audience.html?project=${encodeURIComponent(project())}`;
  }

  async function load() {
    try {
      render((await call("GET", base())).cueList);
    } catch (err) {
      say(String(err.message || err));
    }
  }

  async function fire(action, body = {}) {
    if (state.busy) return;
    state.busy = true;
    try {
      const doc = await call("POST", `${base()}/${action}`, body);
      state.fired += 1;
      render(doc.cueList);
      say(`fired ${doc.cueList.cues[doc.cueList.current].label} (cue #${doc.cue.sequence})`);
    } catch (err) {
      say(String(err.message || err));
    } finally {
      state.busy = false;
    }
  }

  $("go").addEventListener("click", () => fire("next"));
  $("back").addEventListener("click", () => fire("previous"));
  $("project").addEventListener("change", load);
  document.addEventListener("keydown", (e) => {
    if (e.code === "Space" && e.target.tagName !== "INPUT") { e.preventDefault(); fire("next"); }
  });

  fetch("/opentheater/projectList.json").then((r) => r.json()).then((doc) => {
    for (const p of doc.projects) {
      const name = (p.projectLabel || p.projectPath).join(" / ");
      $("project").append(Object.assign(document.createElement("option"), { value: p.projectUuid, textContent: name }));
    }
    if (params.get("project")) $("project").value = params.get("project");
    return load();
  }).then(() => { document.body.dataset.ready = "1"; });
})();
