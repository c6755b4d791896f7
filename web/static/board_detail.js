// The alarm detail panel: who, where, what happened, and the operator's actions (accept, call
// log, dispatch 120, resolve). Also opens for a home without an alarm (from the homes tiles).
"use strict";
Board.detail = (() => {
  const { T, tr, el, dl, api, ago, clock, time, select, field, showError, who, coords } = Board;
  const panel = document.getElementById("detail");
  const CALLEES = ["resident", "family", "neighbour", "community", "emergency", "other"];
  const RESULTS = ["reached", "no_answer", "busy", "wrong_number", "voicemail"];
  const OUTCOMES = ["helped_at_home", "visit", "ambulance", "hospital", "false_alarm", "deceased", "other"];
  let current = { alarm: null, homeId: null, hours: 12, home: null };

  function section(title, cls) {
    const s = el("section", `block ${cls || ""}`);
    s.append(el("h3", null, title));
    return s;
  }

  function header() {
    const h = el("div", "detail-head");
    h.id = "detail-head";
    const a = current.alarm;
    const title = el("h2", null, a ? `${tr(`type.${a.type}`, a.type)} · ${tr(`state.${a.state}`, a.state)}` : current.homeId);
    const close = el("button", "close", T["detail.close"]);
    close.type = "button";
    close.addEventListener("click", closePanel);
    h.append(title, close);
    if (a) {
      const waiting = a.state === "raised" || a.state === "notified";
      const c = el("span", `answer-clock ${waiting ? "waiting" : ""}`, clock(a.raised_ms));
      c.dataset.raised = a.raised_ms;
      c.id = "answer-clock";
      h.append(el("p", "when", `${T.raised_at}: ${time(a.raised_ms)} · `), c);
    }
    return h;
  }

  function actions() {
    const a = current.alarm;
    const box = el("section", "block actions-block");
    if (!a || !a.open) return box;
    const row = el("div", "buttons");
    if (a.state === "raised" || a.state === "notified") {
      const b = el("button", "accept", T.accept);
      b.type = "button";
      b.id = "detail-accept";
      b.addEventListener("click", () => act(b, () => api("POST", `/api/alarms/${a.id}/accept`, {})));
      row.append(b);
    }
    const d = el("button", "dispatch", T.dispatch);
    d.type = "button";
    d.id = "dispatch";
    d.addEventListener("click", () => {
      const loc = current.home ? current.home.location : null;
      const where = loc ? `${loc.address}${coords(loc)}` : "";
      if (!window.confirm(`${T["dispatch.confirm"]}\n${where}`)) return;
      act(d, () => api("POST", `/api/alarms/${a.id}/dispatch`, { service: "120" }));
    });
    row.append(d);
    box.append(row);

    const call = el("form", "call-form");
    call.id = "call-form";
    call.append(el("h3", null, T["call.log"]));
    const name = el("input"); name.name = "callee_name"; name.maxLength = 100;
    const number = el("input"); number.name = "number"; number.maxLength = 40; number.inputMode = "tel";
    const note = el("input"); note.name = "note"; note.maxLength = 1000;
    call.append(field(T["call.callee"], select("callee", CALLEES, "callee")),
                field(T["call.name"], name), field(T["call.number"], number),
                field(T["call.result"], select("result", RESULTS, "result")),
                field(T["call.note"], note));
    const save = el("button", null, T["call.save"]); save.type = "submit";
    call.append(save);
    call.addEventListener("submit", (e) => {
      e.preventDefault();
      const f = new FormData(call);
      act(save, async () => {
        await api("POST", `/api/alarms/${a.id}/calls`, Object.fromEntries(f.entries()));
        call.reset();
      });
    });
    box.append(call);

    const res = el("form", "resolve-form");
    res.id = "resolve-form";
    res.append(el("h3", null, T.resolve));
    const notes = el("textarea"); notes.name = "note"; notes.maxLength = 1000; notes.rows = 2;
    res.append(field(T["resolve.outcome"], select("outcome", OUTCOMES, "outcome")),
               field(T["resolve.notes"], notes));
    const done = el("button", "resolve", T.resolve); done.type = "submit";
    res.append(done);
    res.addEventListener("submit", (e) => {
      e.preventDefault();
      const f = new FormData(res);
      act(done, () => api("POST", `/api/alarms/${a.id}/resolve`, Object.fromEntries(f.entries())));
    });
    box.append(res);
    return box;
  }

  async function act(button, fn) {
    button.disabled = true;
    try { await fn(); showError(""); } catch (err) { showError(err.message || String(err), err.detail); }
    finally { button.disabled = false; }
  }

  function log(data) {
    const s = section(T["detail.actions"], "log");
    s.id = "actions-log";
    const items = [
      ...data.calls.map((c) => ({ at: c.at_ms, cls: "call", text:
        `${time(c.at_ms)} ${who(c.caller)} ${T["call.entry"]} ${tr(`callee.${c.callee}`, c.callee)} ${c.callee_name} ${c.number} — ${tr(`result.${c.result}`, c.result)}${c.note ? ` (${c.note})` : ""}` })),
      ...data.dispatches.map((d) => ({ at: d.at_ms, cls: "dispatch", text:
        `${time(d.at_ms)} ${who(d.actor)} ${T["dispatch.done"]} ${d.service} ${T["dispatch.to"]} ${d.location.address}${coords(d.location)}` })),
    ].sort((x, y) => x.at - y.at);
    if (!items.length) s.append(el("p", "muted", T["detail.no_actions"]));
    const ol = el("ol");
    for (const i of items) ol.append(el("li", i.cls, i.text));
    s.append(ol);
    return s;
  }

  function residents(home) {
    const frag = document.createDocumentFragment();
    for (const r of home.residents) {
      const s = section(`${T["detail.profile"]}: ${r.name}`, "profile");
      s.append(dl([
        [T["detail.age_label"], r.age === null ? null : `${r.age}${T["detail.age"]}`],
        [T["detail.phone"], r.phone],
        [T["detail.risk"], r.risk.map((x) => tr(`risk.${x}`, x))],
      ]));
      s.append(Board.record.view(r));  // the health record, and its edit form (board_record.js)
      frag.append(s);
    }
    return frag;
  }

  function contacts(home) {
    const s = section(T["detail.contacts"], "contacts");
    const ol = el("ol");
    for (const c of home.contacts) {
      const addr = Object.entries(c.addresses).map(([k, v]) => `${k}: ${v}`).join(" · ");
      ol.append(el("li", null, `${tr(`role.${c.role}`, c.role)} — ${c.name} ${addr}`));
    }
    s.append(ol);
    return s;
  }

  function location(home) {
    const s = section(T["detail.location"], "location");
    s.append(el("p", null, `${T.address}: ${home.address || home.home_id}`));
    const loc = home.location;
    const p = el("p", loc.out ? "out" : null, loc.out
      ? `${T["detail.out"]}${coords(loc)} · ${ago(loc.at_ms)}` : `${T["detail.at_home"]}${coords(loc)}`);
    s.append(p);
    const url = loc.map_url || home.map_url;
    if (url) {
      const a = el("a", "map", T["detail.map"]);
      a.href = url; a.target = "_blank"; a.rel = "noopener";
      s.append(a);
    }
    s.append(away(home));
    return s;
  }

  function away(home) {
    // Away (hospital, holiday): the home's tile shows "away" and silence is expected until then.
    const f = el("form", "away-form");
    f.id = "away-form";
    const on = home.away_until_ms && home.away_until_ms > Date.now();
    f.append(el("span", on ? "away-on" : "muted", on
      ? `${T["homes.away_until"]} ${time(home.away_until_ms)} ${home.away_note}` : T["away.none"]));
    const until = el("input"); until.type = "date"; until.name = "until";
    const note = el("input"); note.name = "note"; note.maxLength = 500;
    const save = el("button", null, T["away.save"]); save.type = "submit";
    f.append(field(T["homes.away_until"], until), field(T["call.note"], note), save);
    if (on) {
      const back = el("button", null, T["away.back"]); back.type = "button"; back.id = "away-back";
      back.addEventListener("click", () => act(back, () => setAway(null, "")));
      f.append(back);
    }
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!until.value) return;
      const ms = new Date(`${until.value}T23:59:59`).getTime();
      act(save, () => setAway(ms, note.value));
    });
    return f;
  }

  async function setAway(untilMs, note) {
    await api("POST", `/api/homes/${encodeURIComponent(current.homeId)}/away`, { until_ms: untilMs, note });
    current.home = await api("GET", `/api/homes/${encodeURIComponent(current.homeId)}`);
    const old = document.getElementById("away-form");
    if (old) old.replaceWith(away(current.home));
  }

  function activity(home) {
    const s = section(T["detail.activity"], "activity");
    const hours = select("hours", ["6", "12", "24", "48"], "_");
    for (const o of hours.options) o.textContent = `${o.value} ${T["detail.hours"]}`;
    hours.value = String(current.hours);
    hours.addEventListener("change", () => { current.hours = Number(hours.value); loadChart(); });
    s.append(hours);
    const box = el("div", "chart");
    box.id = "chart";
    s.append(box);
    return s;
  }

  async function loadChart() {
    const box = document.getElementById("chart");
    if (!box || !current.homeId) return;
    try {
      const data = await api("GET", `/api/homes/${encodeURIComponent(current.homeId)}/activity?hours=${current.hours}`);
      box.replaceChildren(data.lanes.length ? Board.chart.timeline(data) : el("p", "muted", T["detail.no_activity"]));
    } catch (err) {
      box.replaceChildren(el("p", "error", err.message));
    }
  }

  function devices(home) {
    const s = section(T["detail.devices"], "devices");
    const table = el("table");
    const head = el("tr");
    for (const h of [T.device, T.room, T["detail.battery"], T["detail.last_seen"], T["detail.faults"]]) head.append(el("th", null, h));
    table.append(head);
    for (const d of home.devices) {
      const tr_ = el("tr", d.faults.length ? "fault" : null);
      tr_.append(el("td", null, `${tr(`kind.${d.kind}`, d.kind)} ${d.device_id}`),
                 el("td", null, d.room ? tr(`room.${d.room}`, d.room) : "—"),
                 el("td", d.battery !== null && d.battery < 20 ? "low" : null, d.battery === null ? "—" : `${Math.round(d.battery)}%`),
                 el("td", null, ago(d.last_seen_ms)),
                 el("td", null, d.faults.map((f) => tr(`type.${f}`, f)).join("、") || "—"));
      table.append(tr_);
    }
    s.append(table);
    return s;
  }

  function earlier(home) {
    const s = section(T["detail.earlier"], "earlier");
    const ol = el("ol");
    for (const a of home.alarms) {
      if (current.alarm && a.alarm_id === current.alarm.id) continue;
      ol.append(el("li", a.severity, `${time(a.raised_ms)} ${tr(`type.${a.type}`, a.type)} · ${tr(`state.${a.state}`, a.state)}`));
    }
    s.append(ol);
    const c = el("h4", null, T["detail.checkins"]);
    s.append(c);
    const ul = el("ul");
    for (const x of home.checkins) ul.append(el("li", null, `${time(x.at_ms)} ${tr(`checkin.${x.kind}`, x.kind)} · ${tr(`checkin_result.${x.result}`, x.result)} ${x.note}`));
    s.append(ul);
    return s;
  }

  async function render(actionsData) {
    const home = current.home;
    const parts = [header(), actions()];
    if (actionsData) parts.push(log(actionsData));
    if (home) parts.push(residents(home), contacts(home), location(home), activity(home), devices(home), earlier(home));
    panel.replaceChildren(...parts);
    panel.hidden = false;
    panel.dataset.alarmId = current.alarm ? current.alarm.id : "";
    panel.dataset.homeId = current.homeId || "";
    if (home) loadChart();
  }

  async function open(alarm, homeId) {
    current = { ...current, alarm, homeId: alarm ? alarm.home_id : homeId, home: null };
    document.body.classList.add("with-detail");
    panel.hidden = false;
    panel.replaceChildren(header());
    try {
      const [home, acts] = await Promise.all([
        api("GET", `/api/homes/${encodeURIComponent(current.homeId)}`),
        alarm ? api("GET", `/api/alarms/${encodeURIComponent(alarm.id)}/actions`) : Promise.resolve(null),
      ]);
      current.home = home;
      current.actions = acts;
      await render(acts);
    } catch (err) {
      showError(err.message || String(err), err.detail);
    }
  }

  function closePanel() {
    current = { ...current, alarm: null, homeId: null, home: null };
    panel.hidden = true;
    document.body.classList.remove("with-detail");
    document.dispatchEvent(new CustomEvent("board:detail-closed"));
  }

  async function onAlarm(change, alarm) {
    // Another screen (or this one) changed the open alarm: update the head, the accept button
    // and the log in place, so a call note being typed is not wiped.
    if (!current.alarm || current.alarm.id !== alarm.id) return;
    current.alarm = alarm;
    if (!alarm.open) { closePanel(); return; }
    const head = document.getElementById("detail-head");
    if (head) head.replaceWith(header());
    const accept = document.getElementById("detail-accept");
    if (accept && !(alarm.state === "raised" || alarm.state === "notified")) accept.remove();
    if (change === "call" || change === "dispatch") {
      current.actions = await api("GET", `/api/alarms/${encodeURIComponent(alarm.id)}/actions`);
      const old = document.getElementById("actions-log");
      if (old) old.replaceWith(log(current.actions));
    }
  }

  function tick() {
    const c = document.getElementById("answer-clock");
    if (!c) return;
    c.textContent = clock(Number(c.dataset.raised));
    c.classList.toggle("late", c.classList.contains("waiting") && Date.now() - Number(c.dataset.raised) > 60000);
  }
  setInterval(tick, 1000);

  return { open, onAlarm, close: closePanel, selected: () => (current.alarm ? current.alarm.id : null) };
})();
