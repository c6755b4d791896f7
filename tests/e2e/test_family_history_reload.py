"""The family page's earlier alarms when reloads overlap: the browser holds every answer of the
list (`closed=true`) back for a while, two alarm changes reach the page one after the other, and
each closed alarm is still listed once (two reloads used to clear the list before their fetches,
then both appended)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from anju.wiring import Anju
from domain.alarms import Detection, Severity
from tests.e2e.test_family_browser import anju, page, sign_in  # noqa: F401 (fixtures)
from tests.web.auth_support import token_for

HELD_S = 0.4


def closed_sos(app: Anju, op: httpx.Client, n: int) -> str:
    """Raise an SOS in h1 and close it (two changes on the feed); returns its id."""
    now = int(time.time() * 1000)
    app.alarms.on_detection(Detection("h1", "sos", Severity.CRITICAL, now, f"h1-sos-{n}"))
    alarm = app.state_store.find_open_alarm("h1", "sos")
    assert alarm is not None
    done = op.post(f"/api/alarms/{alarm.alarm_id}/resolve", json={"outcome": "false_alarm"})
    assert done.status_code == 200, done.text
    return alarm.alarm_id


def listed(tab: Any) -> list[str]:
    ids: list[str] = tab.eval_on_selector_all(
        "#history-list li", "items => items.map((li) => li.dataset.id)"
    )
    return ids


def test_overlapping_reloads_list_each_earlier_alarm_once(
    anju: Anju,  # noqa: F811
    page: Any,  # noqa: F811
) -> None:
    with httpx.Client(base_url=anju.url, headers=token_for(anju.app, "op1")) as op:
        closed = [closed_sos(anju, op, n) for n in range(3)]
        sign_in(anju, page)
        page.locator("#history-list li").nth(2).wait_for()  # at least 3
        page.wait_for_timeout(1000)  # the first load and the feed's hello reload overlap too
        assert sorted(listed(page)) == sorted(closed), listed(page)

        def held(route: Any) -> None:
            time.sleep(HELD_S)
            route.continue_()

        page.route(lambda url: "closed=true" in url, held)
        closed.append(closed_sos(anju, op, 3))  # a reload starts and waits for its answer
        time.sleep(HELD_S / 2)
        closed.append(closed_sos(anju, op, 4))  # the next reload starts before that answer
        page.wait_for_timeout(4 * HELD_S * 1000)
        page.locator("#history-list li").nth(4).wait_for()  # at least 5
        page.wait_for_timeout(4 * HELD_S * 1000)  # every held answer is in by now
    ids = listed(page)
    assert sorted(ids) == sorted(closed), ids
