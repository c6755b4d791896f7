// Operator board: open alarms, newest critical first, live over SSE (/api/feed).
"use strict";
const T = JSON.parse(document.getElementById("i18n").textContent);
const RANK = { critical: 0, major: 1, minor: 2, technical: 3 };
const alarms = new Map();
const fresh = new Set();
const list = document.getElementById("alarms");
const statusEl = document.getElementById("status");
const actorEl = document.getElementById("actor");
const errorEl = document.getElementById("error");

actorEl.value = localStorage.getItem("anju.actor") || actorEl.value;
actorEl.addEventListener("change", () => localStorage.setItem("anju.actor", actorEl.value));

function tr(key, fallback) { return T[key] !== undefined ? T[key] : fallback; }

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function age(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s} ${T.ago_s}` : `${Math.round(s / 60)} ${T.ago_m}`;
}

function acceptedBy(a) {
  for (let i = a.history.length - 1; i >= 0; i--) {
    if (a.history[i].state === "accepted") return a.history[i].actor;
  }
  return "";
}

function row(a) {
  const li = el("li", `alarm ${a.severity}` + (fresh.has(a.id) ? " new" : ""));
  li.dataset.alarmId = a.id;
  li.dataset.severity = a.severity;
  const title = el("div", "title");
  title.append(el("span", "badge", tr(`sev.${a.severity}`, a.severity)));
  title.append(el("span", "type", tr(`type.${a.type}`, a.type)));
  if (a.count > 1) title.append(el("span", "count", ` ×${a.count}`));
  li.append(title);

  const actions = el("div", "actions");
  if (a.state === "raised" || a.state === "notified") {
    const button = el("button", "accept", T.accept);
    button.type = "button";
    button.addEventListener("click", () => accept(a.id, button));
    actions.append(button);
  } else {
    actions.append(el("span", "taken", `${T.accepted_by}${acceptedBy(a)}`));
  }
  li.append(actions);

  const meta = el("div", "meta");
  const home = a.home || {};
  const residents = (home.residents || []).join("、");
  const ev = a.evidence || {};
  const parts = [
    residents ? `${T.residents}: ${residents}` : null,
    `${T.address}: ${home.address || a.home_id}`,
    ev.room ? `${T.room}: ${tr(`room.${ev.room}`, ev.room)}` : null,
    a.device_id ? `${T.device}: ${a.device_id}` : null,
    `${T.raised_at}: ${new Date(a.raised_ms).toLocaleTimeString(T.html_lang)}`,
  ].filter(Boolean);
  meta.append(el("span", "where", parts.join(" · ")));
  meta.append(document.createTextNode(" · "));
  const ageEl = el("span", "age", age(a.raised_ms));
  ageEl.dataset.raised = a.raised_ms;
  meta.append(ageEl);
  li.append(meta);
  return li;
}

function render() {
  const open = [...alarms.values()].filter((a) => a.open);
  open.sort((x, y) => (RANK[x.severity] - RANK[y.severity]) || (y.raised_ms - x.raised_ms));
  list.replaceChildren(...open.map(row));
  document.getElementById("empty").hidden = open.length > 0;
  tickAges();
}

function tickAges() {
  for (const node of list.querySelectorAll(".age")) {
    const raised = Number(node.dataset.raised);
    node.textContent = age(raised);
    const li = node.closest("li");
    const waiting = li.querySelector("button.accept") !== null;
    node.classList.toggle("late", waiting && Date.now() - raised > 60000);
  }
}
setInterval(tickAges, 1000);

function showError(text) {
  errorEl.textContent = text ? `${T.error}${text}` : "";
  errorEl.hidden = !text;
}

async function load() {
  try {
    const r = await fetch("/api/alarms?open=true&limit=500");
    if (!r.ok) throw new Error(`${r.status}`);
    const body = await r.json();
    alarms.clear();
    for (const a of body.alarms) alarms.set(a.id, a);
    render();
  } catch (err) {
    showError(String(err));
  }
}

async function accept(id, button) {
  button.disabled = true;
  try {
    const r = await fetch(`/api/alarms/${encodeURIComponent(id)}/accept`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ actor: actorEl.value || "operator" }),
    });
    const body = await r.json();
    if (!r.ok) throw new Error(typeof body.detail === "string" ? body.detail : r.status);
    alarms.set(body.id, body);
    showError("");
    render();
  } catch (err) {
    button.disabled = false;
    showError(err.message || String(err));
  }
}

function setLive(live) {
  statusEl.textContent = live ? T.live : T.offline;
  statusEl.className = `status ${live ? "live" : "offline"}`;
  statusEl.dataset.live = live ? "1" : "0";
}

const source = new EventSource("/api/feed");
source.addEventListener("hello", () => { setLive(true); load(); });
source.addEventListener("resync", load);
source.addEventListener("alarm", (e) => {
  const { change, alarm } = JSON.parse(e.data);
  if (alarm.open) alarms.set(alarm.id, alarm); else alarms.delete(alarm.id);
  if (change === "raised") {
    fresh.add(alarm.id);
    setTimeout(() => fresh.delete(alarm.id), 3000);
  }
  render();
});
source.onerror = () => setLive(false);
