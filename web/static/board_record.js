// The health record (老年人健康档案) in the detail panel: shown as a list, and for operators and
// admins an in-place form that replaces it (PUT /api/residents/{id}/record). The server checks
// every field; its 4xx message is shown beside the form, which keeps what was typed.
"use strict";
Board.record = (() => {
  const { T, tr, el, dl, api, time, select, field, who } = Board;
  const HOUSEHOLDS = ["alone", "with_spouse", "with_family", "other"];
  const SELF_CARE = ["independent", "partly", "dependent", "unknown"];
  const LISTS = ["conditions", "medication", "benefits"];
  let me = null;  // one /api/me per page: only the role is needed

  function role() {
    if (!me) me = api("GET", "/api/me").then((u) => u.role).catch(() => "");
    return me;
  }

  function list(rec) {
    return dl([
      [T["rec.household"], tr(`household.${rec.household}`, rec.household)],
      [T["rec.registration"], rec.registration],
      [T["rec.family"], rec.family.map((f) => `${f.name}（${f.relation}）${f.phone}${f.lives_nearby ? " · " + T["rec.nearby"] : ""}`)],
      [T["rec.conditions"], rec.conditions],
      [T["rec.self_care"], tr(`self_care.${rec.self_care}`, rec.self_care)],
      [T["rec.medication"], rec.medication],
      [T["rec.language"], rec.language],
      [T["rec.benefits"], rec.benefits],
    ]);
  }

  // The record of one resident, with its edit button; `resident.record` is kept up to date.
  function view(resident) {
    const box = el("div", "record");
    box.dataset.residentId = resident.resident_id;
    show(box, resident);
    return box;
  }

  function show(box, resident) {
    const rec = resident.record;
    const parts = [el("h4", null, T["detail.record"]), list(rec)];
    if (rec.updated_ms) parts.push(el("p", "muted record-updated", `${T["rec.updated"]}: ${time(rec.updated_ms)} · ${who(rec.updated_by)}`));
    const edit = el("button", "record-edit", T["rec.edit"]);
    edit.type = "button";
    edit.hidden = true;
    edit.addEventListener("click", () => box.replaceChildren(form(box, resident)));
    role().then((r) => { edit.hidden = !(r === "operator" || r === "admin"); });
    parts.push(edit);
    box.replaceChildren(...parts);
  }

  function input(name, value, max, cls) {
    const i = el("input", cls);
    i.name = name; i.value = value || ""; i.maxLength = max;
    return i;
  }

  function memberRow(f) {
    const row = el("div", "member");
    const nearby = el("input"); nearby.type = "checkbox"; nearby.name = "lives_nearby"; nearby.checked = !!f.lives_nearby;
    const phone = input("phone", f.phone, 40); phone.inputMode = "tel";
    const near = el("label", "check");
    near.append(nearby, el("span", null, T["rec.nearby"]));
    const remove = el("button", "member-remove", T["rec.remove_member"]);
    remove.type = "button";
    remove.addEventListener("click", () => row.remove());
    row.append(field(T["rec.member_name"], input("name", f.name, 100)),
               field(T["rec.relation"], input("relation", f.relation, 50)),
               field(T["rec.phone"], phone), near, remove);
    return row;
  }

  function form(box, resident) {
    const rec = resident.record;
    const f = el("form", "record-form");
    f.noValidate = true;  // the server's rules, and its messages, are the ones that count
    f.append(el("h4", null, `${T["rec.edit"]}: ${resident.name}`));
    const household = select("household", HOUSEHOLDS, "household"); household.value = rec.household;
    const selfCare = select("self_care", SELF_CARE, "self_care"); selfCare.value = rec.self_care;
    f.append(field(T["rec.household"], household),
             field(T["rec.registration"], input("registration", rec.registration, 200)),
             field(T["rec.self_care"], selfCare),
             field(T["rec.language"], input("language", rec.language, 20)));
    for (const name of LISTS) {
      const t = el("textarea"); t.name = name; t.rows = 3; t.value = rec[name].join("\n");
      const l = field(`${T[`rec.${name}`]}${T["rec.one_per_line"]}`, t);
      l.classList.add("wide");
      f.append(l);
    }
    const fam = el("fieldset", "family");
    fam.append(el("legend", null, T["rec.family"]));
    const rows = el("div", "members");
    for (const m of rec.family) rows.append(memberRow(m));
    const add = el("button", "member-add", T["rec.add_member"]);
    add.type = "button";
    add.addEventListener("click", () => { const r = memberRow({}); rows.append(r); r.querySelector("input").focus(); });
    fam.append(rows, add);
    f.append(fam);
    const msg = el("p", "error record-error");
    msg.setAttribute("role", "alert");
    msg.hidden = true;
    const save = el("button", "record-save", T["rec.save"]); save.type = "submit";
    const cancel = el("button", "record-cancel", T["rec.cancel"]); cancel.type = "button";
    cancel.addEventListener("click", () => show(box, resident));
    const buttons = el("div", "buttons");
    buttons.append(save, cancel);
    f.append(msg, buttons);
    f.addEventListener("submit", (e) => { e.preventDefault(); submit(f, box, resident, save, msg); });
    return f;
  }

  function body(f, rec) {
    const lines = (name) => f.elements[name].value.split("\n").map((s) => s.trim()).filter(Boolean);
    const family = [];
    for (const row of f.querySelectorAll(".member")) {
      const v = (n) => row.querySelector(`[name=${n}]`).value.trim();
      const m = { name: v("name"), relation: v("relation"), phone: v("phone"), lives_nearby: row.querySelector("[name=lives_nearby]").checked };
      if (m.name || m.relation || m.phone) family.push(m);  // an added row left empty is dropped
    }
    return {
      household: f.elements.household.value,
      registration: f.elements.registration.value.trim(),
      family,
      conditions: lines("conditions"),
      self_care: f.elements.self_care.value,
      medication: lines("medication"),
      language: f.elements.language.value.trim(),
      benefits: lines("benefits"),
      extra: rec.extra || {},  // not on the form, kept as it is
      based_on_ms: rec.updated_ms || 0,  // another operator's save in between: 409, not lost
    };
  }

  async function submit(f, box, resident, save, msg) {
    for (const n of f.querySelectorAll("[aria-invalid]")) n.removeAttribute("aria-invalid");
    save.disabled = true;
    msg.hidden = true;
    try {
      const data = body(f, resident.record);
      const url = `/api/residents/${encodeURIComponent(resident.resident_id)}/record`;
      resident.record = await api("PUT", url, data);
      show(box, resident);
    } catch (err) {
      msg.textContent = `${T["rec.not_saved"]}${err.status === 409 ? T["rec.err.conflict"] : problem(err, f)}`;
      msg.hidden = false;
    } finally {
      save.disabled = false;
    }
  }

  // FastAPI's 422 lists the problems: the first one, as field and message in the page's language.
  function problem(err, f) {
    const d = err.problems;
    if (!Array.isArray(d) || !d.length) return err.message || String(err);  // in the page's language
    const p = d[0];
    const loc = (p.loc || []).filter((x) => x !== "body");
    const ctx = p.ctx || {};
    const n = ctx.min_length ?? ctx.max_length ?? "";
    let text = p.msg;
    if (p.type === "string_pattern_mismatch" && loc[loc.length - 1] === "phone") text = T["rec.err.phone"];
    else if (p.type === "string_pattern_mismatch") text = T["rec.err.pattern"];
    else if (p.type === "string_too_short" && n === 1) text = T["rec.err.required"];
    else if (p.type === "string_too_short") text = T["rec.err.too_short"].replace("{n}", n);
    else if (p.type === "string_too_long") text = T["rec.err.too_long"].replace("{n}", n);
    else if (p.type === "too_long") text = T["rec.err.too_many"].replace("{n}", n);
    mark(f, loc);
    return `${where(loc)}: ${text}`;
  }

  function where(loc) {
    const [name, i, sub] = loc;
    const label = tr(`rec.${name}`, String(name ?? ""));
    if (name === "family" && typeof i === "number") {
      return `${label} ${i + 1}${sub ? ` · ${tr(sub === "name" ? "rec.member_name" : `rec.${sub}`, sub)}` : ""}`;
    }
    return typeof i === "number" ? `${label} ${i + 1}` : label;
  }

  function mark(f, loc) {  // the offending input, when there is one on the form
    const [name, i, sub] = loc;
    let node = null;
    if (name === "family" && typeof i === "number" && sub) {
      const kept = [...f.querySelectorAll(".member")].filter((r) => [...r.querySelectorAll("input:not([type=checkbox])")].some((x) => x.value.trim()));
      node = kept[i] ? kept[i].querySelector(`[name=${sub}]`) : null;
    } else if (f.elements[name]) {
      node = f.elements[name];
    }
    if (node && node.setAttribute) { node.setAttribute("aria-invalid", "true"); node.focus(); }
  }

  return { view };
})();
