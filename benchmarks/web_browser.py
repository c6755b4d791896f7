"""The browser half of `benchmarks.web`: the board's first load and new alarms reaching the page,
both timed inside Chromium by a MutationObserver installed before the page's own scripts."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from benchmarks.web import ARGS, CHROMIUM, PASSWORD, Bench, Log, summary
from domain.alarms import Detection, Severity

if TYPE_CHECKING:
    from playwright.sync_api import Browser, StorageState

# Notes, on the browser's clocks, when `want` alarm rows are on the page (ms since navigation
# start), and for each new alarm (wall clock, ms since the epoch) when its feed event reached the
# page, when its row first entered the DOM and the next animation frame after that (about when it
# is painted).
OBSERVER = """
(() => {
  const b = window.__bench = { want: %d, rendered: null, api: null, seen: {}, frame: {}, got: {} };
  const now = () => performance.timeOrigin + performance.now();
  const Native = window.EventSource;  // the feed's alarm events, noted before the board sees them
  window.EventSource = function (url, options) {
    const source = new Native(url, options);
    source.addEventListener("alarm", (e) => {
      const at = now();
      const { change, alarm } = JSON.parse(e.data);
      if (change === "raised" && !(alarm.id in b.got)) b.got[alarm.id] = at;
    });
    return source;
  };
  window.EventSource.prototype = Native.prototype;
  new MutationObserver((records) => {
    const at = now();
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType !== 1 || !n.classList.contains("alarm")) continue;
      const id = n.dataset.alarmId;
      if (id && !(id in b.seen)) {
        b.seen[id] = at;
        requestAnimationFrame(() => { b.frame[id] = now(); });
      }
    }
    if (b.rendered === null && document.querySelectorAll("li.alarm").length >= b.want) {
      b.rendered = performance.now();
      const e = performance.getEntriesByType("resource")  // the list's pages, one after another
        .filter((x) => x.name.includes("/api/alarms?"));
      b.api = e.length ? e[e.length - 1].responseEnd - e[0].startTime : null;
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def wait_until(page: Any, expression: str, arg: Any = None, timeout_s: float = 30) -> None:
    """Poll `expression` (evaluated through the DevTools protocol) until it is truthy. Not
    `page.wait_for_function`: it compiles its predicate inside the page, which the board's
    Content-Security-Policy (no eval) refuses."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout_s} s: {expression}")
        time.sleep(0.02)


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_state(bench: Bench) -> StorageState:
    """The session cookie of bench-op, as a Playwright storage state."""
    r = httpx.post(
        f"{bench.url}/api/auth/login", json={"username": "bench-op", "password": PASSWORD}
    )
    r.raise_for_status()
    cookies = [{"name": c.name, "value": c.value or "", "url": bench.url} for c in r.cookies.jar]
    return {"cookies": cookies, "origins": []}  # type: ignore[typeddict-item]


def board_loads(bench: Bench, loads: int, log: Log) -> dict[str, Any]:
    """`loads` first loads of the board, each in a fresh context (nothing cached)."""
    took: list[float] = []
    api: list[float] = []
    with chromium() as browser:
        state = signed_in_state(bench)
        for _ in range(loads):
            context = browser.new_context(
                storage_state=state, locale="zh-CN", viewport={"width": 1400, "height": 900}
            )
            try:
                context.add_init_script(OBSERVER % bench.open_alarms)
                page = context.new_page()
                page.goto(f"{bench.url}/")
                wait_until(page, "window.__bench.rendered !== null", timeout_s=60)
                took.append(float(page.evaluate("window.__bench.rendered")))
                api.append(float(page.evaluate("window.__bench.api") or 0.0))
            finally:
                context.close()
    log(f"board loads (ms): {[round(t) for t in took]}")
    doc = summary(took) | {"first_ms": round(took[0], 1)}
    doc["api_alarms_fetch_p50_ms"] = summary(api)["p50_ms"]
    return doc


def new_alarm_latency(bench: Bench, n: int, gap_s: float, log: Log) -> dict[str, Any]:
    """`n` SOS alarms raised one by one (random gaps around `gap_s`) on homes without one."""
    ctx = bench.anju.app.state.ctx
    busy = {a.home_id for a in ctx.alarms.store.list_alarms(open_only=True, limit=100_000)}
    rng = random.Random(3)
    quiet = [h for h in bench.homes if h not in busy]
    homes = rng.sample(quiet, n)
    raised: dict[str, float] = {}
    returned: dict[str, float] = {}  # when on_detection returned (stored, published)
    with chromium() as browser:
        context = browser.new_context(
            storage_state=signed_in_state(bench), viewport={"width": 1400, "height": 900}
        )
        context.add_init_script(OBSERVER % bench.open_alarms)
        page = context.new_page()
        page.goto(f"{bench.url}/")
        wait_until(page, "window.__bench.rendered !== null", timeout_s=60)
        for home in homes:
            time.sleep(rng.uniform(0.5, 1.5) * gap_s)
            at = time.time() * 1000
            alarm = bench.anju.alarms.on_detection(
                Detection(home, "sos", Severity.CRITICAL, int(at), f"{home}-sos")
            )
            raised[alarm.alarm_id] = at
            returned[alarm.alarm_id] = time.time() * 1000
        wanted = list(raised)
        wait_until(page, "ids => ids.every((id) => id in window.__bench.frame)", wanted, 30)
        seen: dict[str, float] = page.evaluate("window.__bench.seen")
        frame: dict[str, float] = page.evaluate("window.__bench.frame")
        got: dict[str, float] = page.evaluate("window.__bench.got")
        skew = float(page.evaluate("Date.now() - (performance.timeOrigin + performance.now())"))
        context.close()
    dom = [seen[i] - raised[i] for i in wanted if i in seen]
    painted = [frame[i] - raised[i] for i in wanted if i in frame]
    log(f"new alarms: {len(dom)} of {n} seen")
    doc = summary(dom) | {"lost": n - len(dom), "open_at_end": bench.open_alarms + n}
    doc["next_frame"] = summary(painted)
    doc["service_call"] = summary([returned[i] - raised[i] for i in wanted])  # store + publish
    doc["feed_event"] = summary([got[i] - raised[i] for i in wanted if i in got])  # server side
    doc["event_to_row"] = summary([seen[i] - got[i] for i in wanted if i in seen and i in got])
    doc["browser_clock_skew_ms"] = round(skew, 2)
    return doc
