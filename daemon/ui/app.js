// bootsan's dashboard: plain JavaScript over bootsand's REST API (/api/v1).
// The API token is asked once and kept in sessionStorage (this tab only);
// the page polls the API every two seconds while it is visible (twice a
// second while a clone job runs on the images page). Every text
// from the API goes into the page as text, never as HTML: machine names are
// checked, but what a boot request sent (firmware, served) is anyone's.
"use strict";

const TOKEN_KEY = "bootsan-token";
const POLL_MS = 2000;
const POLL_FAST_MS = 500;	// while a clone job runs on the images page
const PAGES = ["machines", "sessions", "images", "history", "settings"];

let token = sessionStorage.getItem(TOKEN_KEY);
let page = "machines";
let timer = null;
let busy = false;
let jobsOpen = false;	// a clone job running or queued: poll faster, to show its progress
const drawn = new Map();	// section -> the JSON last drawn (redraw only on change)
const lastSample = new Map();	// session id -> {t, read, write}: throughput between polls

const $ = (id) => document.getElementById(id);

// An element with attributes (class, data-*, text...) and children.
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
  }
  return e;
}

class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

async function api(method, path, body) {
  const opts = { method, headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, "bootsand does not answer (" + e.message + ")");
  }
  const text = await r.text();
  let j = null;
  try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
  if (r.status === 401) {
    signOut("The API token was refused.");
    throw new ApiError(401, "the API token was refused");
  }
  if (!r.ok) {
    const msg = (j && j.error) || r.statusText || "HTTP " + r.status;
    throw new ApiError(r.status, msg + (j && j.field ? " (" + j.field + ")" : ""), j && j.field);
  }
  return j;
}

// Every item of a paged collection, following "next" (at most @pages pages).
async function all(coll, pages = 20) {
  let items = [], after = "";
  for (let i = 0; i < pages; i++) {
    const j = await api("GET", "/api/v1/" + coll + (after ? "?after=" + encodeURIComponent(after) : ""));
    items = items.concat(j[coll] || []);
    if (j.next === undefined || j.next === null) break;
    after = String(j.next);
  }
  return items;
}

// ---- formatting ----

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
}

function rate(n) {
  return bytes(Math.max(0, n)) + "/s";
}

function ago(iso) {
  const t = Date.parse(iso);
  if (!iso || isNaN(t)) return "";
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}

function clock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function day(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleDateString([], { weekday: "short", year: "numeric", month: "short", day: "numeric" });
}

function badge(state) {
  return h("span", { class: "badge s-" + state, text: state });
}

function td(label, ...kids) {
  return h("td", { "data-label": label }, ...kids);
}

// Draw @section with @fn(data) unless @data is what it last drew.
function draw(section, data, fn) {
  const key = JSON.stringify(data);
  if (drawn.get(section) === key) return;
  drawn.set(section, key);
  fn(data);
}

function showError(msg) {
  $("error").hidden = !msg;
  $("error").textContent = msg || "";
}

// ---- pages ----

async function loadMachines() {
  const [clients, hist, images] = await Promise.all([all("clients"),
    api("GET", "/api/v1/history?limit=500"), all("images")]);
  // A machine's disk: an overlay says of which golden.
  const goldenOf = {};
  for (const im of images) if (im.golden) goldenOf[im.name] = im.golden;
  const last = {};
  for (const b of hist.history) if (!(b.client in last)) last[b.client] = b;
  const pending = clients.filter((c) => c.state === "pending");
  draw("pending", pending.map((c) => [c.name, c.mac, last[c.name] || null]), () => {
    $("pending-card").hidden = pending.length === 0;
    $("pending-count").textContent = "(" + pending.length + ")";
    $("pending").replaceChildren(...pending.map((c) => {
      const b = last[c.name];
      return h("li", { "data-name": c.name },
        h("div", { class: "who" }, h("strong", { text: c.name }),
          h("span", { class: "sub", text: [c.mac.join(", "), c.uuid].filter(Boolean).join(" · ") +
            (b ? " · first seen " + ago(c.created) + " from " + b.ip : "") })),
        h("div", { class: "actions" },
          h("button", { class: "approve", "data-action": "approve", "data-name": c.name, text: "Approve" }),
          h("button", { class: "deny", "data-action": "deny", "data-name": c.name, text: "Deny" })));
    }));
  });
  draw("machines", [clients, last, goldenOf], () => {
    $("machine-count").textContent = "(" + clients.length + ")";
    $("machines-empty").hidden = clients.length > 0;
    $("machines").replaceChildren(...clients.map((c) => {
      const b = last[c.name];
      return h("tr", { "data-name": c.name },
        td("Name", h("strong", { text: c.name }), h("span", { class: "sub", text: c.origin })),
        td("State", badge(c.state)),
        td("Profile", c.profile || h("span", { class: "sub", text: "default" })),
        td("Disk", c.image || "—", c.image && goldenOf[c.image] ?
          h("span", { class: "sub", text: "overlay of " + goldenOf[c.image] }) : null),
        td("MAC", (c.mac || []).join(", ") || "—"),
        td("Last boot", b ? [h("span", { text: ago(b.time), title: b.time }),
          h("span", { class: "sub", text: b.served + (b.ip ? " · " + b.ip : "") })] : "never"));
    }));
  });
}

async function decide(action, name, button) {
  if (action === "deny" && !confirm("Deny " + name + "? It is forgotten; under register it is recorded again when it boots again."))
    return;
  button.disabled = true;
  try {
    await api("POST", "/api/v1/clients/" + encodeURIComponent(name) + "/" + action);
    showError("");
  } catch (e) {
    showError(action + " " + name + ": " + e.message);
  }
  poll(true);
}

async function loadSessions() {
  let sessions;
  try {
    sessions = (await api("GET", "/api/v1/sessions")).sessions;
  } catch (e) {
    if (e.status !== 503) throw e;
    draw("sessions", "none", () => {
      $("sessions-note").hidden = false;
      $("sessions-note").textContent = "The kernel module bootsan.ko is not loaded: no sessions. (" + e.message + ")";
      $("sessions").replaceChildren();
      $("session-count").textContent = "";
    });
    return;
  }
  const now = performance.now() / 1000;
  const rows = sessions.map((s) => {
    const prev = lastSample.get(s.id);
    const dt = prev ? now - prev.t : 0;
    const r = dt > 0 ? (s.read_bytes - prev.read) / dt : null;
    const w = dt > 0 ? (s.write_bytes - prev.write) / dt : null;
    lastSample.set(s.id, { t: now, read: s.read_bytes, write: s.write_bytes });
    return { s, r, w };
  });
  drawn.delete("sessions");	// the rates change with every poll
  $("sessions-note").hidden = sessions.length > 0;
  $("sessions-note").textContent = "No initiator is logged in.";
  $("session-count").textContent = "(" + sessions.length + ")";
  $("sessions").replaceChildren(...rows.map(({ s, r, w }) => h("tr", {},
    td("Initiator", s.initiator, h("span", { class: "sub", text: "isid " + s.isid + " tsih " + s.tsih })),
    td("Target", s.target),
    td("Peer", s.peer),
    h("td", { class: "num", "data-label": "Read" }, r === null ? "…" : rate(r), h("span", { class: "sub", text: bytes(s.read_bytes) })),
    h("td", { class: "num", "data-label": "Write" }, w === null ? "…" : rate(w), h("span", { class: "sub", text: bytes(s.write_bytes) })),
    h("td", { class: "num", "data-label": "Commands" }, String(s.commands)))));
}

async function loadImages() {
  const [images, jobs, clients] = await Promise.all([all("images"), all("jobs"), all("clients")]);
  const users = {};
  for (const c of clients) if (c.image) (users[c.image] = users[c.image] || []).push(c.name);
  // Running and queued first, then the last finished ones, newest first.
  const open = jobs.filter((j) => j.state === "running" || j.state === "queued");
  const closed = jobs.filter((j) => j.state !== "running" && j.state !== "queued").slice(-8).reverse();
  const shown = open.concat(closed);
  jobsOpen = open.length > 0;
  draw("jobs", shown, () => {
    $("jobs-empty").hidden = shown.length > 0;
    $("jobs").replaceChildren(...shown.map((j) => h("li", { "data-job": j.id, "data-state": j.state },
      h("div", {}, h("strong", { text: j.subject }), h("span", { class: "sub", text: j.kind + " #" + j.id +
        (j.error ? " · " + j.error : "") })),
      h("progress", { max: "100", value: String(j.progress), "aria-label": "progress of " + j.subject }),
      h("div", { class: "num" }, badge(j.state), " ", h("span", { class: "pct", text: j.progress + "%" })))));
  });
  draw("images", [images, users], () => {
    $("image-count").textContent = "(" + images.length + ")";
    drawOverlaySummary(images);
    const full = images.filter((im) => im.out_of_space);
    $("space-alert").hidden = full.length === 0;
    $("space-alert").textContent = full.length === 0 ? "" : "Out of space: " + full.map((im) => im.name).join(", ") +
      ". The images' file system is (almost) full, and these images are thin: a write to a block they " +
      "have not allocated yet fails (the initiator gets SPACE ALLOCATION FAILED WRITE PROTECT). Free space " +
      "on the SAN host, or delete images.";
    $("images").replaceChildren(...images.map((im) => {
      const u = users[im.name] || [];
      const use = [im.luns ? im.luns + (im.luns === 1 ? " LUN" : " LUNs") : "",
        u.length ? u.length + (u.length === 1 ? " machine: " : " machines: ") + u.slice(0, 3).join(", ") +
          (u.length > 3 ? ", …" : "") : ""].filter(Boolean).join(" · ");
      return h("tr", { "data-name": im.name, "data-golden": im.golden, "data-overlays": String(im.overlays || 0),
        "data-out-of-space": im.out_of_space ? "1" : null },
        td("Name", h("strong", { text: im.name }), imageKind(im)),
        td("State", badge(im.state), im.out_of_space ? [" ", h("span", { class: "badge s-failed space",
          text: "out of space", title: "Thin, on a file system with less than 1 MiB free: writes to its holes fail" })] : null),
        h("td", { class: "num", "data-label": "Size" }, bytes(im.size_bytes)),
        h("td", { class: "num", "data-label": "On disk" }, onDisk(im)),
        td("Overlays", overlayCell(im)),
        td("Used by", use || h("span", { class: "sub", text: "unused" })));
    }));
  });
}

// Under the name: what kind of image it is.
function imageKind(im) {
  if (im.golden) return h("span", { class: "sub", text: "overlay of " + im.golden + " v" + im.golden_version });
  if (im.overlays) return h("span", { class: "sub", text: "golden · v" + (im.version || 1) });
  if ((im.version || 1) > 1) return h("span", { class: "sub", text: "v" + im.version });
  return null;
}

// What it takes on disk: an overlay's delta holds only what its machine wrote.
function onDisk(im) {
  if (im.golden)
    return [h("span", { class: "written", text: bytes(im.written_bytes || 0) + " written" }),
      h("span", { class: "sub", text: "its delta; the rest is read from " + im.golden })];
  return bytes(im.allocated_bytes);
}

// A golden: its overlays and the page cache they share. An overlay: its golden.
function overlayCell(im) {
  if (im.golden)
    return [h("span", { text: "of " }), h("strong", { text: im.golden }), h("span", { class: "sub", text: "version " +
      im.golden_version })];
  const n = im.overlays || 0;
  if (!n) return h("span", { class: "sub", text: "—" });
  const kids = [h("span", { class: "overlay-count", text: n + (n === 1 ? " overlay" : " overlays") })];
  if (im.cached_bytes !== undefined) {
    kids.push(h("span", { class: "sub cache", "data-cached": String(im.cached_bytes), text: "page cache " +
      bytes(im.cached_bytes) + (n > 1 ? ", held once for all " + n + " (full copies: up to " +
      bytes(im.cached_bytes * n) + ")" : ", read by its overlay") }));
  }
  return kids;
}

// Above the table: how many machines boot from overlays of how many goldens.
function drawOverlaySummary(images) {
  const goldens = images.filter((im) => im.overlays > 0);
  const overlays = images.filter((im) => im.golden).length;
  $("overlay-summary").hidden = goldens.length === 0;
  if (!goldens.length) return;
  const cached = goldens.reduce((s, g) => s + (g.cached_bytes || 0), 0);
  const copies = goldens.reduce((s, g) => s + (g.cached_bytes || 0) * g.overlays, 0);
  $("overlay-summary").textContent = overlays + (overlays === 1 ? " overlay" : " overlays") + " on " +
    goldens.length + (goldens.length === 1 ? " golden image" : " golden images") + ": " + bytes(cached) +
    " of golden data in the page cache" + (copies > cached ? ", shared by all of them, where full copies " +
    "would hold up to " + bytes(copies) + "." : ".");
}

function historyClass(b) {
  if (/login/i.test(b.served)) return "login";
  if (/refus|not approved|busy|denied|unknown/i.test(b.served)) return "refused";
  return "";
}

async function loadHistory() {
  const hist = (await api("GET", "/api/v1/history?limit=300")).history;
  draw("history", hist, () => {
    $("history-empty").hidden = hist.length > 0;
    const items = [];
    let lastDay = "";
    for (const b of hist) {
      const d = day(b.time);
      if (d !== lastDay) {
        items.push(h("li", { class: "day", text: d }));
        lastDay = d;
      }
      items.push(h("li", { class: historyClass(b) },
        h("time", { datetime: b.time, text: clock(b.time) }),
        h("strong", { text: b.client }), " ", h("span", { text: b.served }),
        h("span", { class: "sub", text: [b.ip, b.firmware].filter(Boolean).join(" · ") })));
    }
    $("timeline").replaceChildren(...items);
  });
}

function fillSelect(sel, names, value) {
  sel.replaceChildren(h("option", { value: "", text: "(none)" }),
    ...names.map((n) => h("option", { value: n, text: n })));
  sel.value = value;
}

async function loadSettings(force) {
  // The form is filled when the page opens, not on every poll: it may be being edited.
  if (!force && drawn.has("settings")) return;
  const [s, profiles, images] = await Promise.all([api("GET", "/api/v1/settings"),
    all("profiles"), all("images")]);
  drawn.set("settings", "filled");
  fillSelect($("s-default_profile"), profiles.map((p) => p.name), s.default_profile);
  // An overlay cannot be a golden: only ordinary images are offered.
  fillSelect($("s-golden_image"), images.filter((i) => !i.golden).map((i) => i.name), s.golden_image);
  $("s-provision_disk").value = s.provision_disk || "clone";
  for (const k of Object.keys(s)) {
    const e = $("s-" + k);
    if (e && e.tagName !== "SELECT") e.value = s[k];
  }
  $("s-enrollment").value = s.enrollment;
}

async function saveSettings(ev) {
  ev.preventDefault();
  const body = {};
  for (const e of $("settings-form").elements) if (e.name) body[e.name] = e.value;
  $("settings-status").className = "";
  $("settings-status").textContent = "Saving…";
  try {
    await api("PUT", "/api/v1/settings", body);
    $("settings-status").textContent = "Saved.";
    drawn.delete("settings");
    await loadSettings(true);
  } catch (e) {
    $("settings-status").className = "error";
    $("settings-status").textContent = e.message;
  }
}

const loaders = { machines: loadMachines, sessions: loadSessions, images: loadImages,
  history: loadHistory, settings: () => loadSettings(false) };

async function loadStatus() {
  const s = await api("GET", "/api/v1/status");
  const k = s.kernel || {};
  const c = s.counts || {};
  $("health").textContent = [
    k.available ? "bootsan.ko loaded" : "bootsan.ko not loaded",
    c.clients + " machines",
    c.jobs_running ? c.jobs_running + " cloning" + (c.jobs_queued ? ", " + c.jobs_queued + " queued" : "") : "",
  ].filter(Boolean).join(" · ");
  $("health").classList.toggle("error", !k.available);
  $("footer").textContent = "bootsand " + s.version + " · up " + Math.round(s.uptime_seconds / 60) +
    " min · updated " + new Date().toLocaleTimeString();
}

// ---- polling, navigation, sign-in ----

async function poll(now) {
  if (now !== true && busy) return;
  clearTimeout(timer);
  timer = null;
  if (!token) return;
  busy = true;
  try {
    await Promise.all([loadStatus(), loaders[page]()]);
    showError("");
  } catch (e) {
    if (e.status !== 401) showError(e.message);
  } finally {
    busy = false;
  }
  if (token && !document.hidden)
    timer = setTimeout(poll, page === "images" && jobsOpen ? POLL_FAST_MS : POLL_MS);
}

function go() {
  const want = location.hash.slice(1);
  page = PAGES.includes(want) ? want : "machines";
  for (const p of PAGES) $("page-" + p).hidden = !token || p !== page;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === page);
  if (page === "settings") drawn.delete("settings");
  poll(true);
}

function signOut(why) {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  drawn.clear();
  clearTimeout(timer);
  $("login").hidden = false;
  $("nav").hidden = $("logout").hidden = true;
  $("health").textContent = "";
  $("login-error").textContent = why || "";
  showError("");
  for (const p of PAGES) $("page-" + p).hidden = true;
  $("token").focus();
}

function signedIn() {
  $("login").hidden = true;
  $("nav").hidden = $("logout").hidden = false;
  go();
}

async function signIn(ev) {
  ev.preventDefault();
  token = $("token").value.trim();
  $("login-error").textContent = "";
  try {
    await api("GET", "/api/v1/status");
  } catch (e) {
    if (e.status !== 401) $("login-error").textContent = e.message;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("token").value = "";
  signedIn();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("settings-form").addEventListener("submit", saveSettings);
  $("logout").addEventListener("click", () => signOut(""));
  $("pending").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-action]");
    if (b) decide(b.dataset.action, b.dataset.name, b);
  });
  window.addEventListener("hashchange", go);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(true); });
  if (token) signedIn();
  else signOut("");
});
