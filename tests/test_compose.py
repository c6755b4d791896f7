"""docker-compose.yml is for users' machines (no Docker engine here): check it against the code."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from anju.cli import build_parser
from anju.settings import Settings

REPO = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ANJU = {name: svc for name, svc in SERVICES.items() if name.startswith("anju-")}


def _expand(value: str) -> str:
    """${VAR:-default} as compose expands it with VAR unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def _conf(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            out.setdefault(key, []).append(value.strip())
    return out


def test_every_service_has_an_image_and_a_health_check() -> None:
    assert {"mosquitto", "influxdb", "postgres", "anju-web"} <= set(SERVICES)
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        check = service.get("healthcheck", {}).get("test")
        assert isinstance(check, list) and check[0] == "CMD" and len(check) > 1, name


@pytest.mark.parametrize("name", sorted(ANJU))
def test_anju_commands_exist(name: str) -> None:
    args = build_parser().parse_args(ANJU[name]["command"])
    assert callable(args._run)


@pytest.mark.parametrize("name", sorted(ANJU))
def test_anju_environment_is_valid_settings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: _expand(str(v)) for k, v in ANJU[name]["environment"].items() if k != "<<"}
    fields = {f"ANJU_{f.upper()}" for f in Settings.model_fields}
    unknown = {k for k in env if k.startswith("ANJU_")} - fields
    assert not unknown, f"{name}: environment names no setting: {unknown}"
    for key in list(os.environ):
        if key.startswith("ANJU_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.mqtt_host == "mosquitto" and settings.mqtt_port == 1883
    assert settings.timeseries == "influxdb" and settings.influxdb_url == "http://influxdb:8086"
    assert settings.resolved_state_url().startswith("postgresql+psycopg://")
    assert settings.resolved_state_url().endswith("@postgres:5432/anju")


def test_web_port_and_health_check_match_the_app() -> None:
    web = ANJU["anju-web"]
    port = int(web["environment"]["ANJU_HTTP_PORT"])
    assert f"{port}:{port}" in web["ports"]
    check = " ".join(web["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/healthz" in check
    from web.routes import ops

    assert any(getattr(r, "path", "") == "/healthz" for r in ops.router.routes)


def test_broker_configuration_is_anjus() -> None:
    mounted = [v for v in SERVICES["mosquitto"]["volumes"] if v.endswith("mosquitto.conf:ro")]
    assert mounted, "Anju's mosquitto.conf must be mounted"
    production = _conf(REPO / mounted[0].split(":")[0])
    development = _conf(REPO / "broker" / "mosquitto.conf")
    for key in ("max_queued_messages", "max_queued_bytes", "max_inflight_messages", "persistence"):
        assert production[key] == development[key], key
    assert "1883 0.0.0.0" in production["listener"]
    assert "8883 0.0.0.0" in production["listener"]


def test_image_contains_every_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, flags=re.M))
    assert packages == copied
    assert any(s.get("build") == "." for s in ANJU.values())


def test_broker_requires_accounts_and_tls_for_devices() -> None:
    """Per-device accounts (dynamic security plugin) and TLS on 8883; docs/provisioning.md."""
    production = _conf(REPO / "docker" / "mosquitto" / "mosquitto.conf")
    assert production["allow_anonymous"] == ["false"]
    assert production["plugin"] == ["/usr/lib/mosquitto_dynamic_security.so"]
    assert production["plugin_opt_config_file"][0].startswith("/mosquitto/data/")
    assert production["certfile"] and production["keyfile"]
    assert SERVICES["mosquitto"]["ports"] == ["8883:8883"]  # the plain listener stays inside
    admin = SERVICES["mosquitto"]["environment"]["ANJU_MQTT_ADMIN_PASSWORD"]
    for name, service in ANJU.items():
        env = service["environment"]
        assert env["ANJU_MQTT_ADMIN_PASSWORD"] == admin, name
        assert env["ANJU_MQTT_USERNAME"] and env["ANJU_MQTT_PASSWORD"], name
