"""`anju users ...` against a real state database, and what it makes works on the web app."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts.feed import LocalFeed
from alerts.service import AlarmService
from anju import cli
from domain.clock import SystemClock
from stores.state.sql import SqlStateStore
from web.app import create_app


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_add_list_token_disable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANJU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ANJU_STATE_URL", raising=False)
    code, out, _ = run(capsys, "users", "add", "op1", "--role", "operator", "--community", "c1")
    assert code == 0 and "added op1 (operator)" in out
    password = out.split("password: ", 1)[1].strip()
    assert len(password) >= 10
    monkeypatch.setattr("sys.stdin", io.StringIO("Family-Pass-9\n"))
    args = ["users", "add", "fam1", "--role", "family", "--resident", "r1", "--password-stdin"]
    code, out, _ = run(capsys, *args)
    assert code == 0 and "password:" not in out
    code, _, err = run(capsys, "users", "add", "x1", "--role", "family", "--community", "c1")
    assert code == 2 and "--community is not for the role family" in err
    code, _, err = run(capsys, "users", "add", "op1", "--role", "admin")
    assert code == 1 and "exists" in err
    code, out, _ = run(capsys, "users", "list")
    assert [line.split()[:3] for line in out.splitlines()] == [
        ["fam1", "family", "active"],
        ["op1", "operator", "active"],
    ]
    code, out, _ = run(capsys, "users", "token", "op1", "--name", "ci")
    token = out.splitlines()[-1]

    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    feed = LocalFeed()
    app = create_app(store, feed, AlarmService(store, feed, SystemClock()))
    try:
        with TestClient(app) as client:
            me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["communities"] == ["c1"]
            login = {"username": "op1", "password": password}
            assert client.post("/api/auth/login", json=login).status_code == 200
            assert run(capsys, "users", "disable", "op1")[0] == 0
            assert client.get("/api/me").status_code == 401
            fam = {"username": "fam1", "password": "Family-Pass-9"}
            assert client.post("/api/auth/login", json=fam).status_code == 200
    finally:
        feed.close()
        store.close()
    with pytest.raises(SystemExit, match="no user 'nobody'"):
        run(capsys, "users", "disable", "nobody")
