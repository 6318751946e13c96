// Open Theater audience renderer: builds one container per containerId of the chosen project /
// channel and applies each live `displayContent` cue (content -> styles -> transitions), like the
// Open Theater client: text (line breaks kept, no HTML), image, video (autoplay, muted, inline)
// and audio; media paths that are not URLs resolve against the channel's provisioning directory.
(() => {
  "use strict";
  const params = new URLSearchParams(location.search);
  const projectId = params.get("project");
  const channelId = params.get("channel");
  const stage = document.getElementById("stage");
  const status = document.getElementById("status");
  const sources = {};
  const state = { connected: false, cues: 0, last: null, error: null };
  window.openTheater = state;

  const show = (text) => { status.textContent = text; };

  function container(id) {
    const type = id.split("_")[0].toLowerCase();
    const el = document.createElement("div");
    el.id = id;
    el.className = `ot_container ot_${type}`;
    el.dataset.type = type;
    if (type === "video") {
      const v = document.createElement("video");
      Object.assign(v, { autoplay: true, muted: true, playsInline: true });
      el.append(v);
    } else if (type === "audio") {
      el.append(document.createElement("audio"));
    } else {
      const inner = document.createElement("div");
      inner.className = "ot_default";
      el.append(inner);
    }
    return el;
  }

  function resolve(id, value) {
    if (/^(https?:|data:|blob:)/i.test(value) || value.startsWith("/")) return value;
    return sources[id] ? new URL(value, sources[id]).href : value;
  }

  function fill(node, type, value, id) {
    node.textContent = "";
    if (type === "image") {
      if (value) node.append(Object.assign(document.createElement("img"), { src: resolve(id, value), alt: "" }));
      return;
    }
    value.split(/\n|<br\s*\/?>/i).forEach((part, i) => {
      if (i) node.append(document.createElement("br"));
      node.append(document.createTextNode(part));
    });
  }

  function animate(node, name, time, delay) {
    if (!name || name === "animate__none") return false;
    node.classList.add("animate__animated", name);
    if (time) node.style.setProperty("--animate-duration", `${time}ms`);
    if (delay) node.style.animationDelay = `${delay}ms`;
    return true;
  }

  function setMedia(el, value) {
    const media = el.firstElementChild;
    if (!value) {
      media.pause();
      media.removeAttribute("src");
      media.load();
      return;
    }
    media.src = resolve(el.id, value);
    const playing = media.play();
    if (playing) playing.catch(() => {});
  }

  function setContent(el, value, transition) {
    const type = el.dataset.type;
    if (type === "audio" || type === "video") return setMedia(el, value);
    const old = el.querySelector(":scope > .ot_default:not(.ot_leaving)");
    const fresh = document.createElement("div");
    fresh.className = "ot_default";
    if (old) {
      for (const c of old.classList) if (!c.startsWith("animate__")) fresh.classList.add(c);
      fresh.style.cssText = old.style.cssText;
      fresh.style.removeProperty("--animate-duration");
      fresh.style.animationDelay = "";
    }
    fill(fresh, type, value, el.id);
    const t = transition || {};
    el.append(fresh);
    animate(fresh, t.fadeInClass, t.fadeInTime, t.fadeInDelay);
    if (!old) return;
    if (!animate(old, t.fadeOutClass, t.fadeOutTime, t.fadeOutDelay)) return old.remove();
    old.classList.add("ot_leaving");
    const done = () => old.remove();
    old.addEventListener("animationend", done, { once: true });
    setTimeout(done, (t.fadeOutTime || 1000) + (t.fadeOutDelay || 0) + 500);
  }

  function apply(payload) {
    if (!payload || typeof payload !== "object") return;
    const transitions = payload.transitions || {};
    for (const [id, value] of Object.entries(payload.content || {})) {
      const el = document.getElementById(id);
      if (!el || !el.classList.contains("ot_container")) continue; // not a container of this channel
      setContent(el, String(value), transitions[`#${id}`] || transitions.default);
    }
    for (const [selector, entry] of Object.entries(payload.styles || {})) {
      let nodes;
      try {
        nodes = stage.querySelectorAll(selector === "default" ? ".ot_default" : selector);
      } catch (e) {
        continue; // not a valid CSS selector
      }
      for (const node of nodes) {
        for (const c of entry.classList || entry.classes || []) node.classList.add(c);
        for (const [prop, value] of Object.entries(entry.inline || {})) {
          if (prop in node.style) node.style[prop] = value;
        }
      }
    }
    state.cues += 1;
    state.last = payload;
    document.body.dataset.cues = String(state.cues);
  }

  async function start() {
    if (!projectId) return show("add ?project=<projectUuid> to the address");
    const doc = await (await fetch("/opentheater/projectList.json")).json();
    const project = doc.projects.find((p) => p.projectUuid === projectId);
    if (!project) return show("unknown project");
    const channels = channelId ? project.channelList.filter((c) => c.channelUuid === channelId) : project.channelList;
    if (!channels.length) return show("unknown channel");
    document.title = (project.projectLabel || project.projectPath).join(" / ");
    for (const c of channels) {
      for (const id of c.containerIds) {
        if (!document.getElementById(id)) stage.append(container(id));
        if (c.provisioningUri && !(id in sources)) sources[id] = c.provisioningUri;
      }
    }
    const own = channelId && channels[0].triggerUri;
    const namespace = own ? new URL(channels[0].triggerUri).pathname : `/opentheater/${project.projectUuid}`;
    const socket = io(location.origin + namespace, { path: "/socket.io", transports: ["websocket", "polling"] });
    socket.on("connect", () => { state.connected = true; document.body.dataset.connected = "1"; show("live"); });
    socket.on("disconnect", () => { state.connected = false; delete document.body.dataset.connected; show("reconnecting…"); });
    socket.on("connect_error", (err) => { state.error = String(err && err.message); show("cannot connect"); });
    socket.on("displayContent", apply);
    socket.on("reload-client", () => location.reload());
  }

  start().catch((err) => { state.error = String(err); show(`error: ${err}`); });
})();
