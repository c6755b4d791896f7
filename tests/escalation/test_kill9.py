"""kill -9 in the middle of an escalation: after each restart every stage still fires once, on
time (clock-wise), and nobody gets the same stage twice (by the idempotency key a provider keeps).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from alerts.escalation.policy import Policy, PolicyBook, Role, Stage
from alerts.feed import LocalFeed
from alerts.service import AlarmService
from domain.alarms import Detection, Severity
from domain.model import Home, Resident
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore
from tests.channels.receivers import HttpReceiver, http_receiver
from tests.conftest import REPO
from tests.escalation.conftest import T0, contacts

POLICY = Policy(
    "critical_test",
    (
        Stage("family_and_centre", 0, (Role.FAMILY, Role.CALL_CENTRE)),
        Stage("supervisor", 60, (Role.SUPERVISOR,)),
        Stage("emergency", 240, (Role.EMERGENCY,)),
    ),
)


class Worker:
    def __init__(self, url: str, clock: Path, provider: str) -> None:
        self.args = [
            sys.executable,
            "-m",
            "tests.escalation.worker_proc",
            url,
            str(clock),
            provider,
        ]
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.args, cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ}
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def wait_for(rx: HttpReceiver, paths: set[str], timeout_s: float = 40.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with rx.lock:
            seen = {h.path for h in rx.hits}
        if paths <= seen:
            return
        time.sleep(0.02)
    raise AssertionError(f"not delivered in {timeout_s}s: {paths - seen}")


def set_clock(path: Path, text: str) -> None:
    """Atomically: the worker must never read a half-written clock."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def on_the_wire(rx: HttpReceiver, esc: EscalationStore) -> set[str]:
    """Messages the receiver got whose delivery the killed worker had not recorded yet."""
    pending = {d.key for d in esc.deliveries() if d.status == "pending"}
    return pending & set(rx.idempotency_keys())


def test_kill9_mid_escalation_fires_every_stage_once_on_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    clock = tmp_path / "clock"
    set_clock(clock, str(T0))
    state = SqlStateStore(url)
    esc = EscalationStore(state.engine)
    state.upsert_home(Home("h1", "c1", "景洪市 曼听路 8 号", 22.0, 100.8))
    state.upsert_resident(Resident("r1", "h1", "王秀英", birth_year=1950))
    esc.save_policies("c1", PolicyBook("c1", {Severity.CRITICAL: POLICY}, {}).to_json())
    with http_receiver() as rx:
        for c in contacts(rx.url):
            esc.save_contact(c.contact_id, c.scope, c.to_json())
        alarm = AlarmService(state, LocalFeed(), _Clock()).on_detection(
            Detection("h1", "sos", Severity.CRITICAL, int(T0 * 1000))
        )
        worker = Worker(url, clock, rx.url + "/provider")
        in_flight: set[str] = set()

        worker.start()  # stage 0
        wait_for(rx, {"/fam1", "/fam2", "/centre", "/provider/sms"})
        set_clock(clock, str(T0 + 30))
        time.sleep(0.1)
        worker.kill9()  # 1: idle between stages

        rx.delay_s = 1.0  # 2: killed while the supervisor's webhook is on the wire
        worker.start()
        set_clock(clock, str(T0 + 60))
        wait_for(rx, {"/sup"})
        worker.kill9()
        in_flight |= on_the_wire(rx, esc)
        assert any("/sup/" in k for k in in_flight)
        rx.delay_s = 0.0

        worker.start()
        wait_for(rx, {"/sup"})
        time.sleep(0.3)
        set_clock(clock, str(T0 + 240))  # 3: killed at a random moment around the 120 call
        time.sleep(random.uniform(0.0, 0.05))
        worker.kill9()
        in_flight |= on_the_wire(rx, esc)
        worker.start()
        wait_for(rx, {"/provider/voice"})
        time.sleep(0.5)
        worker.kill9()

    keys = Counter(rx.idempotency_keys())
    expected = {
        f"{alarm.alarm_id}/0/{stage}/0/{who}/{ch}"
        for stage, who, ch in [
            (0, "fam1", "webhook"), (0, "fam1", "sms"), (0, "fam2", "webhook"),
            (0, "centre", "webhook"), (1, "sup", "webhook"), (2, "e120", "voice"),
        ]
    }  # fmt: skip
    assert set(keys) == expected  # nothing lost, nobody extra
    repeated = {k for k, n in keys.items() if n > 1}
    assert repeated <= in_flight  # only a message on the wire at the kill is sent again...
    assert all(n <= 2 for n in keys.values())  # ...once, with the same key for the receiver
    timers = esc.timers(alarm.alarm_id)
    assert [(t.stage, status) for t, status, _ in timers] == [
        (0, "fired"),
        (1, "fired"),
        (2, "fired"),
    ]
    assert [fired for _t, _s, fired in timers] == [t.due_ms for t, _s, _f in timers]  # on time
    assert {d.status for d in esc.deliveries(alarm.alarm_id)} == {"delivered"}
    state.close()


class _Clock:
    def now(self) -> float:
        return T0
