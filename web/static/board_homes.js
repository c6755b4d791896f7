// Homes at a glance (status tiles, search, filters; paged by the server) and the monthly
// check-in list with its coverage.
"use strict";
Board.homes = (() => {
  const { T, tr, el, api, ago, time, showError } = Board;
  const TILES = ["alarm", "device", "attention", "away", "fine"];
  const PAGE = 60;
  const state = { q: "", tile: "", community: "", offset: 0, total: 0 };
  const search = document.getElementById("home-search");
  const community = document.getElementById("home-community");
  let timer = null;

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); state.offset = 0; load(); }, 250);
  });
  community.addEventListener("change", () => { state.community = community.value; state.offset = 0; load(); });
  document.getElementById("home-prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE); load();
  });
  document.getElementById("home-next").addEventListener("click", () => {
    if (state.offset + PAGE < state.total) { state.offset += PAGE; load(); }
  });

  function tiles(counts) {
    const box = document.getElementById("tiles");
    const all = Object.values(counts).reduce((a, b) => a + b, 0);
    const buttons = [["", T["homes.all"], all], ...TILES.map((t) => [t, tr(`tile.${t}`), counts[t] || 0])];
    box.replaceChildren(...buttons.map(([key, label, n]) => {
      const b = el("button", `tile-filter ${key || "all"}${state.tile === key ? " active" : ""}`);
      b.type = "button";
      b.dataset.tile = key;
      b.append(el("span", "n", n), el("span", "label", label));
      b.addEventListener("click", () => { state.tile = key; state.offset = 0; load(); });
      return b;
    }));
  }

  function card(h) {
    const li = el("li", `home ${h.tile}`);
    li.dataset.homeId = h.home_id;
    li.tabIndex = 0;
    li.append(el("span", "badge", tr(`tile.${h.tile}`)));
    li.append(el("strong", null, h.residents.map((r) => r.name).join("、") || h.home_id));
    li.append(el("span", "addr", h.address || h.home_id));
    const last = h.tile === "away" && h.away_until_ms
      ? `${T["homes.away_until"]} ${time(h.away_until_ms)}`
      : `${T["homes.last_activity"]}: ${ago(h.last_activity_ms)}`;
    li.append(el("span", "meta", `${h.community_id} · ${last}`));
    const open = () => { Board.showTab("alarms"); Board.detail.open(null, h.home_id); };
    li.addEventListener("click", open);
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    return li;
  }

  async function load() {
    const params = new URLSearchParams({ offset: state.offset, limit: PAGE });
    if (state.q) params.set("q", state.q);
    if (state.tile) params.set("tile", state.tile);
    if (state.community) params.set("community", state.community);
    try {
      const page = await api("GET", `/api/homes?${params}`);
      state.total = page.total;
      tiles(page.counts);
      document.getElementById("homes").replaceChildren(...page.homes.map(card));
      document.getElementById("home-total").textContent = `${page.total} ${T["homes.total"]}`;
      const pages = Math.max(1, Math.ceil(page.total / PAGE));
      document.getElementById("home-page").textContent = `${Math.floor(state.offset / PAGE) + 1} / ${pages}`;
    } catch (err) { showError(err.message, err.detail); }
  }

  // ---- check-ins -----------------------------------------------------------------------------
  function pct(x) { return x === null ? "—" : `${Math.round(x * 1000) / 10}%`; }

  async function loadCheckins() {
    try {
      const [cov, due] = await Promise.all([api("GET", "/api/checkins/coverage"), api("GET", "/api/checkins?limit=200")]);
      document.getElementById("checkin-month").textContent = cov.month;
      const table = document.getElementById("coverage");
      const rows = [...cov.communities, { ...cov.all, community_id: T["homes.all"] }];
      const head = el("tr");
      for (const h of [T["homes.community"], T["checkins.residents"], T["checkins.reached"], "%", T.target]) head.append(el("th", null, h));
      table.replaceChildren(head, ...rows.map((c) => {
        const r = el("tr", c.meets_target === false ? "below" : "met");
        r.dataset.community = c.community_id;
        const bar = el("span", "bar");
        bar.style.setProperty("--rate", String(c.rate || 0));
        const cell = el("td", "rate", pct(c.rate));
        cell.prepend(bar);
        r.append(el("td", null, c.community_id), el("td", null, c.residents), el("td", null, c.covered), cell, el("td", null, pct(c.target)));
        return r;
      }));
      const known = new Set([...community.options].map((o) => o.value));
      for (const c of cov.communities) {
        if (!known.has(c.community_id)) {
          const o = el("option", null, c.community_id); o.value = c.community_id; community.append(o);
        }
      }
      document.getElementById("due-total").textContent = String(due.total);
      document.getElementById("due-none").hidden = due.total > 0;
      document.getElementById("due").replaceChildren(...due.due.map(dueRow));
    } catch (err) { showError(err.message, err.detail); }
  }

  function dueRow(d) {
    const li = el("li", "due-row");
    li.dataset.residentId = d.resident_id;
    li.append(el("strong", null, d.name), el("span", "addr", `${d.address || d.home_id} · ${d.phone || ""}`),
              el("span", "meta", `${T["checkins.last"]}: ${d.last_ms ? time(d.last_ms) : T.never}`));
    const buttons = el("span", "buttons");
    for (const [kind, result, label] of [["call", "well", "checkins.call"], ["visit", "well", "checkins.visit"], ["call", "not_reached", "checkins.not_reached"]]) {
      const b = el("button", `checkin ${kind} ${result}`, T[label]);
      b.type = "button";
      b.addEventListener("click", async () => {
        b.disabled = true;
        try {
          await api("POST", "/api/checkins", { resident_id: d.resident_id, kind, result });
          showError("");
          loadCheckins();
        } catch (err) { b.disabled = false; showError(err.message, err.detail); }
      });
      buttons.append(b);
    }
    li.append(buttons);
    return li;
  }

  return { load, loadCheckins };
})();
