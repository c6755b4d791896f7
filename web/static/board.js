// Operator board: open alarms by severity, then longest waiting first, live over SSE
// (/api/feed); a beep and a flash for every new critical alarm; tabs for homes and check-ins.
"use strict";
(() => {
  const { T, tr, el, api, clock, showError, who } = Board;
  const RANK = { critical: 0, major: 1, minor: 2, technical: 3 };
  const alarms = new Map();
  const fresh = new Set();
  const list = document.getElementById("alarms");
  const statusEl = document.getElementById("status");
  const soundBtn = document.getElementById("sound");
  let audio = null;

  // ---- tabs ------------------------------------------------------------------------------------
  Board.showTab = (name) => {
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.tab === name);
    for (const p of document.querySelectorAll(".pane")) {
      const on = p.id === `pane-${name}`;
      p.hidden = !on;
      p.classList.toggle("active", on);
    }
    if (name === "homes") Board.homes.load();
    if (name === "checkins") Board.homes.loadCheckins();
  };
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => Board.showTab(b.dataset.tab));

  // ---- sound and flash ------------------------------------------------------------------------
  function soundOn(on) {
    soundBtn.dataset.on = on ? "1" : "0";
    soundBtn.textContent = on ? T.sound_on : T.sound_off;
  }
  soundBtn.addEventListener("click", () => {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (soundBtn.dataset.on === "1") { soundOn(false); return; }
    audio.resume().then(() => soundOn(true));
  });
  document.addEventListener("click", () => { if (audio && audio.state === "suspended") audio.resume(); }, { once: true });

  function beep() {
    Board.beeps = (Board.beeps || 0) + 1;  // counted even when muted (tests, and the flash)
    if (!audio || soundBtn.dataset.on !== "1") return;
    const t0 = audio.currentTime;
    for (const [i, f] of [[0, 880], [1, 660], [2, 880]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = f;
      osc.type = "square";
      gain.gain.setValueAtTime(0.15, t0 + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, t0 + i * 0.25 + 0.22);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + i * 0.25);
      osc.stop(t0 + i * 0.25 + 0.23);
    }
  }

  function flash() {
    document.body.classList.remove("flash");
    void document.body.offsetWidth;  // restart the animation
    document.body.classList.add("flash");
    setTimeout(() => document.body.classList.remove("flash"), 3000);
  }

  // ---- the list ----------------------------------------------------------------------------------
  function takenBy(a) {
    for (let i = a.history.length - 1; i >= 0; i--) {
      if (a.history[i].state === "accepted") return a.history[i].actor;
    }
    return "";
  }

  function waiting(a) { return a.state === "raised" || a.state === "notified"; }

  // one formatter for every row: toLocaleTimeString builds a new one per call (most of a
  // row's cost on a slow machine)
  const timeOfDay = new Intl.DateTimeFormat(T.html_lang, {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });

  function row(a) {
    const li = el("li", `alarm ${a.severity}` + (fresh.has(a.id) ? " new" : "") + (Board.detail.selected() === a.id ? " selected" : ""));
    li.dataset.alarmId = a.id;
    li.dataset.severity = a.severity;
    li.dataset.state = a.state;
    li.dataset.updated = String(a.updated_ms);
    const title = el("div", "title");
    title.append(el("span", "badge", tr(`sev.${a.severity}`, a.severity)));
    title.append(el("span", "type", tr(`type.${a.type}`, a.type)));
    if (a.count > 1) title.append(el("span", "count", ` ×${a.count}`));
    title.append(el("span", "state", tr(`state.${a.state}`, a.state)));
    li.append(title);

    const actions = el("div", "actions");
    const c = el("span", "clock" + (waiting(a) ? " waiting" : ""), clock(a.raised_ms));
    c.dataset.raised = a.raised_ms;
    actions.append(c);
    if (waiting(a)) {
      const button = el("button", "accept", T.accept);
      button.type = "button";
      button.addEventListener("click", (e) => { e.stopPropagation(); accept(a.id, button); });
      actions.append(button);
    } else {
      actions.append(el("span", "taken", `${T.accepted_by}${who(takenBy(a))}`));
    }
    const more = el("button", "details", T.details);
    more.type = "button";
    actions.append(more);
    li.append(actions);

    const home = a.home || {};
    const ev = a.evidence || {};
    const parts = [
      home.residents && home.residents.length ? `${T.residents}: ${home.residents.join("、")}` : null,
      `${T.address}: ${home.address || a.home_id}`,
      ev.room ? `${T.room}: ${tr(`room.${ev.room}`, ev.room)}` : null,
      a.device_id ? `${T.device}: ${a.device_id}` : null,
      `${T.raised_at}: ${timeOfDay.format(a.raised_ms)}`,
    ].filter(Boolean);
    const meta = el("div", "meta");
    meta.append(el("span", "where", parts.join(" · ")));
    li.append(meta);
    li.addEventListener("click", () => {
      unselect();
      li.classList.add("selected");
      Board.detail.open(a, a.home_id);
    });
    if (fresh.has(a.id)) setTimeout(() => li.classList.remove("new"), 3000);
    return li;
  }

  function order(x, y) {
    return (RANK[x.severity] - RANK[y.severity]) || (x.raised_ms - y.raised_ms) || (x.id < y.id ? -1 : 1);
  }

  function unselect() {
    for (const n of list.querySelectorAll("li.selected")) n.classList.remove("selected");
  }

  const nodes = new Map();  // alarm id -> its row, so a change touches one row, not the list

  function counts() {
    document.getElementById("empty").hidden = nodes.size > 0;
    document.getElementById("open-count").textContent = String(nodes.size);
  }

  function render() {  // the whole list: on load and resync
    const shown = new Map(nodes);  // rows already on the page for the same version are kept
    nodes.clear();
    const open = [...alarms.values()].filter((a) => a.open).sort(order);
    list.replaceChildren(...open.map((a) => {
      const old = shown.get(a.id);
      const li = old && old.dataset.updated === String(a.updated_ms) && !fresh.has(a.id) ? old : row(a);
      nodes.set(a.id, li);
      return li;
    }));
    counts();
    tick();
  }

  function update(a) {  // one alarm changed: replace or remove its row, insert it in order
    const old = nodes.get(a.id);
    if (old) { old.remove(); nodes.delete(a.id); }
    if (a.open) {
      const li = row(a);
      let before = null;
      for (const node of list.children) {
        const b = alarms.get(node.dataset.alarmId);
        if (b && order(a, b) < 0) { before = node; break; }
      }
      list.insertBefore(li, before);
      nodes.set(a.id, li);
    }
    counts();
  }

  function tick() {
    const now = Date.now();
    for (const node of list.querySelectorAll(".clock")) {
      const raised = Number(node.dataset.raised);
      node.textContent = clock(raised);
      node.classList.toggle("late", node.classList.contains("waiting") && now - raised > 60000);
    }
  }
  setInterval(tick, 1000);

  // The first list is fetched at once, beside the feed (no waterfall); feed events that come
  // while a list is on its way wait in `held` and are applied after it. If the list was read
  // before the feed's subscription began (server times), a change in between could be missing:
  // the list is read again and merged row by row.
  let loading = 0;
  let held = [];
  let listRead = null;
  let subscribed = null;

  function newer(a) {
    const cur = alarms.get(a.id);
    return !cur || cur.updated_ms <= a.updated_ms;
  }

  // Every open alarm, page after page (the API gives at most 200 a request; keyset pages, so
  // none twice). The list counts as read when its first page was (its X-Read-Ms): an alarm
  // raised after that is newer than the cursor, on no later page, so only the feed brings it.
  async function fetchList(onPage) {
    let read = NaN;
    const found = [];
    let cursor = null;
    const page = (after) => api(
      "GET",
      "/api/alarms?open=true&limit=200" + (after ? "&cursor=" + encodeURIComponent(after) : ""),
      undefined,
      (r) => { if (after === null) read = Number(r.headers.get("X-Read-Ms")); },
    );
    let body = await page(null);
    for (;;) {
      found.push(...body.alarms);
      cursor = body.next;
      if (!cursor) break;
      const next = page(cursor);  // asked for before the first page is drawn, not after
      if (onPage && found.length === body.alarms.length) onPage(found);  // the first page only
      body = await next;
    }
    if (Number.isFinite(read)) listRead = listRead === null ? read : Math.max(listRead, read);
    return found;
  }

  function release() {
    const waiting = held;
    held = [];
    for (const [change, a] of waiting) onAlarm(change, a);
  }

  async function load() {  // the whole list, rebuilt (first load, resync, reconnect)
    loading++;
    try {
      // an empty board shows the first page (the newest alarms) while the rest comes, instead
      // of waiting for the last; a board already showing alarms is rebuilt in one go
      const progressive = alarms.size === 0;
      const list = await fetchList(progressive ? (part) => {
        for (const a of part) if (newer(a)) alarms.set(a.id, a);
        render();
      } : null);
      alarms.clear();
      for (const a of list) alarms.set(a.id, a);
      render();
      showError("");
    } catch (err) { showError(err.message || String(err), err.detail); }
    finally { loading--; if (!loading) release(); }
  }

  async function merge() {  // read again, change only the rows that differ
    loading++;
    try {
      const list = await fetchList();
      const ids = new Set(list.map((a) => a.id));
      for (const a of list) {
        const cur = alarms.get(a.id);
        if (!cur || cur.updated_ms < a.updated_ms) { alarms.set(a.id, a); update(a); }
      }
      for (const [id, a] of [...alarms]) if (!ids.has(id)) { alarms.delete(id); update({ ...a, open: false }); }
    } catch (err) { showError(err.message || String(err), err.detail); }
    finally { loading--; if (!loading) release(); }
  }

  function settle() {
    if (listRead !== null && subscribed !== null && subscribed > listRead) merge();
  }

  async function accept(id, button) {
    button.disabled = true;
    try {
      const a = await api("POST", `/api/alarms/${encodeURIComponent(id)}/accept`, {});
      alarms.set(a.id, a);
      showError("");
      update(a);
    } catch (err) {
      button.disabled = false;
      showError(err.message || String(err), err.detail);
    }
  }

  let kpiBusy = false;
  async function kpi() {  // one at a time: under load the figures took over a second to read
    if (kpiBusy) return;
    kpiBusy = true;
    try {
      const k = await api("GET", "/api/kpi?hours=24");
      const a = k.all;
      const pct = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 1000) / 10}%`);
      const node = document.getElementById("kpi");
      node.replaceChildren(
        el("span", a.meets_60s === false ? "bad" : "ok", `${T["kpi.60"]} ${pct(a.share_60s)}`),
        el("span", a.meets_180s === false ? "bad" : "ok", `${T["kpi.180"]} ${pct(a.share_180s)}`),
        el("span", a.waiting ? "bad" : "ok", `${T["kpi.waiting"]} ${a.waiting}`),
      );
      node.dataset.share60 = a.share_60s ?? "";
    } catch (err) { /* KPIs are a convenience: the board works without them */ }
    finally { kpiBusy = false; }
  }
  setInterval(kpi, 30000);

  document.addEventListener("board:detail-closed", unselect);

  // ---- live --------------------------------------------------------------------------------
  function setLive(live) {
    statusEl.textContent = live ? T.live : T.offline;
    statusEl.className = `status ${live ? "live" : "offline"}`;
    statusEl.dataset.live = live ? "1" : "0";
  }

  function onAlarm(change, alarm) {
    if (loading) { held.push([change, alarm]); return; }
    if (!newer(alarm)) return;
    if (alarm.open) alarms.set(alarm.id, alarm); else alarms.delete(alarm.id);
    if (change === "raised") {
      fresh.add(alarm.id);
      setTimeout(() => { fresh.delete(alarm.id); }, 3000);
      if (alarm.severity === "critical") { beep(); flash(); }
    }
    update(alarm);
    Board.detail.onAlarm(change, alarm);
    if (change === "raised" || change === "accepted" || change === "resolved") kpiSoon();
  }

  // KPIs after a burst of changes: one request per 5 s at most, not one per event
  let kpiTimer = null;
  function kpiSoon() {
    if (kpiTimer === null) kpiTimer = setTimeout(() => { kpiTimer = null; kpi(); }, 5000);
  }

  const source = new EventSource("/api/feed");
  let hellos = 0;
  source.addEventListener("hello", (e) => {
    setLive(true);
    if (hellos++) { load(); kpi(); return; }  // a reconnect: changes may have been missed meanwhile
    const at = JSON.parse(e.data || "{}").at_ms;
    subscribed = typeof at === "number" ? at : Infinity;  // an old server: always read again
    if (!loading) settle();
  });
  source.addEventListener("resync", load);
  source.addEventListener("alarm", (e) => {
    const { change, alarm } = JSON.parse(e.data);
    onAlarm(change, alarm);
  });
  source.onerror = () => setLive(false);
  load().then(() => { settle(); kpi(); });  // KPIs (a heavy read) after the list, not beside it
})();
