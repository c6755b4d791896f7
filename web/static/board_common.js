// Shared by the board's scripts: strings, DOM helpers, the API with CSRF, times.
"use strict";
const Board = (() => {
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const meta = document.querySelector('meta[name="csrf-token"]');
  let csrf = meta ? meta.content : "";
  const errorEl = document.getElementById("error");

  function tr(key, fallback) { return T[key] !== undefined ? T[key] : (fallback ?? key); }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function dl(pairs) {  // a definition list of the pairs that have a value
    const d = el("dl");
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
      d.append(el("dt", null, k), el("dd", null, Array.isArray(v) ? v.join("、") : v));
    }
    return d;
  }

  function showError(text, detail) {  // detail: the server's own words, on hover
    errorEl.textContent = text ? `${T.error}${text}` : "";
    errorEl.title = detail || "";
    errorEl.hidden = !text;
  }

  // An API refusal in the page's language (the server's `detail` is English, for integrators);
  // the error keeps status and detail for whoever needs them, and FastAPI's list of problems
  // (a 422) as it came.
  function apiError(status, detail) {
    const key = `err.${status}`;
    const err = new Error(T[key] !== undefined ? T[key] : T["err.other"]);
    err.status = status;
    err.detail = typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : "";
    err.problems = Array.isArray(detail) ? detail : null;
    return err;
  }

  async function ensureCsrf() {
    if (csrf) return csrf;
    const r = await fetch("/api/me");
    if (r.ok) csrf = (await r.json()).csrf_token || "";
    return csrf;
  }

  async function api(method, url, body, onResponse) {  // onResponse(r): to read headers
    const opts = { method, headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    if (method !== "GET") opts.headers["X-CSRF-Token"] = await ensureCsrf();
    let r;
    try { r = await fetch(url, opts); } catch (e) { throw apiError("network", String(e)); }
    if (onResponse) onResponse(r);
    if (r.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("401");
    }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw apiError(r.status, data.detail);
    return data;
  }

  function ago(ms) {
    if (ms === null || ms === undefined) return T.never;
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 120) return `${s} ${T.ago_s}`;
    if (s < 7200) return `${Math.round(s / 60)} ${T.ago_m}`;
    return `${Math.round(s / 3600)} ${T.ago_h}`;
  }

  function clock(ms) {
    const s = Math.max(0, Math.floor((Date.now() - ms) / 1000));
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`
                   : `${m}:${String(s % 60).padStart(2, "0")}`;
  }

  function time(ms) {
    return ms ? new Date(ms).toLocaleString(T.html_lang, { hour12: false }) : "—";
  }

  function who(actor) { return String(actor || "").replace(/^user:/, ""); }

  function coords(loc) {
    return loc && loc.lat !== null && loc.lon !== null ? ` (${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)})` : "";
  }

  function select(name, values, prefix) {
    const node = el("select");
    node.name = name;
    for (const v of values) {
      const o = el("option", null, tr(`${prefix}.${v}`, v));
      o.value = v;
      node.append(o);
    }
    return node;
  }

  function field(label, input) {
    const l = el("label", "field");
    l.append(el("span", null, label), input);
    return l;
  }

  return { T, tr, el, dl, api, ago, clock, time, select, field, showError, who, coords };
})();
