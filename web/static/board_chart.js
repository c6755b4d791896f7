// The activity timeline: one row per room and sensor kind, one cell per time bucket, darker the
// more events; plain SVG drawn here (no library, no network).
"use strict";
Board.chart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = { motion: "#1565c0", door: "#ef6c00", bed: "#6a1b9a" };

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function timeline(data) {
    const { tr } = Board;
    const labelW = 130, cellH = 22, gap = 4, axisH = 22;
    const n = data.lanes.length ? data.lanes[0].counts.length : 1;
    const width = 720, plotW = width - labelW - 8, cellW = plotW / n;
    const height = Math.max(1, data.lanes.length) * (cellH + gap) + axisH;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "timeline",
                              role: "img", "aria-label": tr("detail.activity") });
    data.lanes.forEach((lane, i) => {
      const y = i * (cellH + gap);
      const label = `${tr(`room.${lane.room}`, lane.room)} · ${tr(`kind.${lane.kind}`, lane.kind)}`;
      root.append(svg("text", { x: 0, y: y + cellH * 0.7, class: "lane-label" }, label));
      root.append(svg("rect", { x: labelW, y, width: plotW, height: cellH, class: "lane-bg" }));
      const max = Math.max(1, ...lane.counts);
      lane.counts.forEach((c, j) => {
        if (!c) return;
        const cell = svg("rect", {
          x: labelW + j * cellW, y, width: Math.max(1, cellW - 0.5), height: cellH,
          fill: COLORS[lane.kind] || "#2e7d32", "fill-opacity": 0.25 + 0.75 * (c / max),
          class: "cell", "data-count": c,
        });
        cell.append(svg("title", {}, `${Board.time(data.start_ms + j * data.bucket_ms)}: ${c}`));
        root.append(cell);
      });
    });
    const span = data.end_ms - data.start_ms;
    const stepH = span > 24 * 3600e3 ? 12 : span > 12 * 3600e3 ? 4 : span > 6 * 3600e3 ? 2 : 1;
    const y = height - axisH + 14;
    const first = Math.ceil(data.start_ms / 3600e3) * 3600e3;
    for (let t = first; t <= data.end_ms; t += stepH * 3600e3) {
      const x = labelW + ((t - data.start_ms) / span) * plotW;
      root.append(svg("line", { x1: x, x2: x, y1: 0, y2: height - axisH, class: "tick" }));
      const hh = new Date(t).toLocaleTimeString(Board.T.html_lang, { hour: "2-digit", minute: "2-digit", hour12: false });
      root.append(svg("text", { x, y, class: "axis", "text-anchor": "middle" }, hh));
    }
    return root;
  }

  return { timeline };
})();
