// The family page: today's summary, alarms with one-tap accept, history, preferences; live.
"use strict";
(function () {
  const W = JSON.parse(document.getElementById("words").textContent);
  const T = W.t;
  const body = document.body;
  const lang = body.dataset.lang;
  const staffResident = body.dataset.resident;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = { relatives: [], rid: null, home: null, day: null, today: null, tz: "Asia/Shanghai",
    offset: 0, reloading: null, historyLoad: 0 };

  function fmt(ms, withDate) {
    const opts = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: state.tz };
    if (withDate) { opts.month = "2-digit"; opts.day = "2-digit"; }
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", opts).format(new Date(ms));
  }
  function text(s, params) { return s.replace(/\{(\w+)\}/g, (_, k) => params[k] ?? ""); }
  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }
  // A refusal in the page's language (the server's `detail` is English, kept on the error)
  function apiError(status, detail) {
    const err = new Error(T["err." + status] !== undefined ? T["err." + status] : T["err.other"]);
    err.status = status;
    err.detail = typeof detail === "string" ? detail : "";
    return err;
  }
  async function api(path, opts) {
    let r;
    try { r = await fetch(path, Object.assign({ credentials: "same-origin" }, opts || {})); }
    catch (e) { throw apiError("network", String(e)); }
    if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw apiError(r.status, data.detail);
    return data;
  }
  const q = (extra) => "?lang=" + lang + (extra || "");

  async function loadRelatives() {
    if (staffResident) {
      state.relatives = [{ resident_id: staffResident, name: staffResident }];
    } else {
      state.relatives = (await api("/api/family/relatives")).relatives;
    }
    const tabs = $("relatives");
    tabs.replaceChildren();
    if (!state.relatives.length) { $("none").hidden = false; return; }
    state.relatives.forEach((r) => {
      const b = el("button", "", r.name);
      b.type = "button"; b.setAttribute("role", "tab"); b.dataset.rid = r.resident_id;
      b.addEventListener("click", () => choose(r.resident_id));
      tabs.appendChild(b);
    });
    tabs.hidden = state.relatives.length < 2;
    await choose(state.relatives[0].resident_id);
  }

  async function choose(rid) {
    state.rid = rid; state.day = null; state.offset = 0;
    for (const b of $("relatives").children) b.setAttribute("aria-selected", b.dataset.rid === rid);
    const rel = state.relatives.find((r) => r.resident_id === rid);
    state.home = rel && rel.home_id ? rel.home_id : null;
    await Promise.all([loadSummary(), loadHistory(true)]);
  }

  async function loadSummary() {
    const day = state.day ? "&date=" + state.day : "";
    const s = await api("/api/family/relatives/" + encodeURIComponent(state.rid) + "/summary" + q(day));
    state.tz = s.timezone;
    if (!state.day) state.today = s.date;
    $("who").textContent = s.name;
    $("day").textContent = s.date === state.today ? T.today : s.date;
    const badge = $("status");
    badge.textContent = T["status." + s.status];
    badge.className = "badge " + s.status;
    $("summary").textContent = s.text;
    $("next").disabled = !state.day || state.day >= state.today;
    $("today").hidden = false;
    renderOpen(s.alarms.filter((a) => a.open));
    body.dataset.loaded = String(Date.now());
  }

  function alarmItem(a, withDate) {
    const li = el("li", (a.open ? "open" : "closed") + (a.mine ? " mine" : ""));
    li.dataset.id = a.id;
    li.appendChild(el("div", "what", a.type_name));
    li.appendChild(el("div", "when", fmt(a.raised_ms, withDate) + " · " + T["state." + a.state]));
    let who;
    if (a.handler_name && a.state === "in_progress") who = text(T.in_progress_by, { who: a.handler_name });
    else if (a.handler_name) who = text(T.handled_by, { who: a.handler_name });
    else if (a.open) who = T.waiting;
    if (who) li.appendChild(el("div", "who", who));
    return li;
  }

  function renderOpen(open) {
    const list = $("open-list");
    list.replaceChildren();
    open.forEach((a) => {
      const li = alarmItem(a, false);
      if (a.can_accept) {
        const b = el("button", "accept", T.accept);
        b.type = "button";
        b.addEventListener("click", () => accept(a.id, b));
        li.appendChild(b);
      }
      list.appendChild(li);
    });
    $("no-open").hidden = open.length > 0;
    $("open").hidden = false;
  }

  async function accept(id, button) {
    button.disabled = true;
    try {
      await api("/api/alarms/" + encodeURIComponent(id) + "/accept", {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: "{}" });
    } catch (e) {
      button.disabled = false;
      button.insertAdjacentElement("afterend", el("p", "error", T.error + e.message));
    }
    await refresh();
  }

  // Loads overlap (the feed's reload, "more", another relative): only the newest one's answer is
  // shown, and the list is cleared when that answer is here, not before the fetch.
  async function loadHistory(reset) {
    const load = ++state.historyLoad;
    const offset = reset ? 0 : state.offset;
    const page = await api("/api/family/relatives/" + encodeURIComponent(state.rid) + "/alarms" +
      q("&closed=true&limit=10&offset=" + offset));
    if (load !== state.historyLoad) return;
    if (reset) $("history-list").replaceChildren();
    page.alarms.forEach((a) => $("history-list").appendChild(alarmItem(a, true)));
    state.offset = page.next_offset ?? offset + page.alarms.length;
    $("more").hidden = page.next_offset === null;
    $("no-history").hidden = $("history-list").children.length > 0;
    $("history").hidden = false;
  }

  async function loadPrefs() {
    if (!$("prefs")) return;
    const p = await api("/api/family/preferences");
    $("p-name").value = p.name;
    for (const ch of p.channels) {
      $("p-" + ch).value = p.addresses[ch] || "";
      $("p-pref-" + ch).checked = p.preferred.includes(ch);
    }
    $("p-quiet-from").value = p.quiet ? p.quiet.start : "";
    $("p-quiet-to").value = p.quiet ? p.quiet.end : "";
    $("p-lang").value = p.language;
    renderOrder(p.order);
    $("prefs").hidden = false;
  }

  function renderOrder(orders) {
    const box = $("order");
    box.replaceChildren();
    orders.forEach((o) => {
      if (orders.length > 1) box.appendChild(el("h4", "", o.resident_name));
      const ol = el("ol", "order");
      o.steps.forEach((s) => {
        const li = el("li");
        s.people.forEach((p, i) => {
          if (i) li.appendChild(document.createTextNode("、"));
          const span = el("span", p.you ? "you" : "", p.name + (p.you ? T.you_mark : ""));
          span.title = T["role." + p.role] || p.role;
          li.appendChild(span);
        });
        if (!s.people.length) li.textContent = s.roles.map((r) => T["role." + r] || r).join("、");
        ol.appendChild(li);
      });
      box.appendChild(ol);
    });
  }

  async function savePrefs(ev) {
    ev.preventDefault();
    const addresses = {}; const preferred = [];
    for (const ch of ["sms", "voice", "email", "webhook"]) {
      const v = $("p-" + ch).value.trim();
      if (v) addresses[ch] = v;
      if ($("p-pref-" + ch).checked) preferred.push(ch);
    }
    const from = $("p-quiet-from").value, to = $("p-quiet-to").value;
    const payload = { name: $("p-name").value, language: $("p-lang").value, addresses, preferred,
      quiet: from && to ? { start: from, end: to } : null };
    const msg = $("p-msg");
    try {
      const p = await api("/api/family/preferences", { method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(payload) });
      renderOrder(p.order);
      msg.className = "note"; msg.textContent = T.saved;
    } catch (e) {
      msg.className = "error"; msg.textContent = T.error + e.message;
    }
  }

  async function refresh() {
    if (!state.rid) return;
    await Promise.all([loadSummary(), loadHistory(true)]);
  }
  function soon() {  // many changes at once: one reload
    if (state.reloading) return;
    state.reloading = setTimeout(() => { state.reloading = null; refresh().catch(() => {}); }, 80);
  }

  function live() {
    const es = new EventSource("/api/feed");
    const mark = $("live");
    es.addEventListener("hello", () => { mark.textContent = "● " + T.live; mark.className = "live"; soon(); });
    es.addEventListener("alarm", (ev) => {
      const data = JSON.parse(ev.data);
      const a = data.alarm || {};
      if (!state.home || a.home_id === state.home) {
        soon();
        if (data.change === "raised") $("open").classList.add("flash");
      }
    });
    es.addEventListener("resync", soon);
    es.addEventListener("logout", () => { location.href = "/login"; });
    es.onerror = () => { mark.textContent = T.offline; mark.className = "live off"; };
  }

  $("prev").addEventListener("click", () => {
    const d = new Date((state.day || state.today) + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() - 1);
    state.day = d.toISOString().slice(0, 10);
    loadSummary().catch(() => {});
  });
  $("next").addEventListener("click", () => {
    const d = new Date(state.day + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    const next = d.toISOString().slice(0, 10);
    state.day = next >= state.today ? null : next;
    loadSummary().catch(() => {});
  });
  $("more").addEventListener("click", () => loadHistory(false).catch(() => {}));
  if ($("prefs-form")) $("prefs-form").addEventListener("submit", savePrefs);
  $("open").addEventListener("animationend", () => $("open").classList.remove("flash"));

  loadRelatives().then(loadPrefs).catch((e) => {
    $("summary").textContent = T.error + e.message; $("today").hidden = false;
  });
  live();
})();
