"""Every answer is neither sniffed nor framed; Anju's own pages carry a Content-Security-Policy."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_pages_carry_a_policy_and_every_answer_the_basic_headers(client: TestClient) -> None:
    login = client.get("/login")
    assert login.status_code == 200 and login.headers["content-type"].startswith("text/html")
    policy = login.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for answer in (login, client.get("/api/me"), client.get("/healthz"), client.get("/nope")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert "content-security-policy" not in client.get("/api/me").headers  # JSON: no page
    assert "content-security-policy" not in client.get("/docs").headers  # its viewer is a CDN's
