"""Settings from the environment (ANJU_*) and an optional YAML file (ANJU_CONFIG or --config).

Precedence: environment over file over defaults. Defaults run everything embedded on a laptop.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANJU_", extra="forbid")

    data_dir: Path = Field(Path("var"), description="where embedded stores keep their files")
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"

    # broker
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 1883
    mqtt_protocol: Literal["5", "3.1.1"] = "5"
    mqtt_username: str | None = None
    mqtt_password: str | None = None
    mqtt_tls: bool = False
    mqtt_client_id: str = "anju-ingest-1"
    # None: plain subscription (the default: exactly-once across broker restarts, every home's
    # messages in the one process that runs its detectors). A group name shares the subscription
    # ($share/<group>/...) between processes; see docs/ingest.md for what that costs today.
    mqtt_share_group: str | None = None
    mqtt_session_expiry_s: int = 7 * 24 * 3600
    # Anju manages the broker's accounts (Mosquitto's dynamic security plugin) with this admin
    # account when its password is set; None: a development broker open to anyone (demo).
    mqtt_admin_username: str = "anju-admin"
    mqtt_admin_password: str | None = None

    # stores
    timeseries: Literal["sqlite", "influxdb"] = "sqlite"
    timeseries_path: Path | None = None  # default: data_dir/timeseries.db
    influxdb_url: str = "http://127.0.0.1:8086"
    influxdb_token: str = ""
    influxdb_org: str = "anju"
    influxdb_bucket: str = "anju"
    influxdb_spool_max_bytes: int = 512 * 1024 * 1024
    state_url: str | None = None  # SQLAlchemy URL; default: sqlite in data_dir

    # ingest
    ingest_batch_size: int = 1000
    ingest_batch_ms: int = 50
    ingest_queue_max: int = 100_000
    device_rate_per_s: float = 20.0
    device_burst: int = 600
    # extra folders of device model files (issue 9), separated by ':'; watched for changes
    device_models_dirs: str = ""

    # web
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    session_hours: float = 12.0  # a page log-in lasts this long (then log in again)
    cookie_secure: bool = False  # True behind HTTPS: the session cookie is sent only over TLS
    login_max_failures: int = 5  # failed log-ins (per user name or address) before a lock
    login_lock_s: float = 900.0  # how long that lock lasts

    # escalation and notification channels (issue 6)
    escalation: bool = True
    public_url: str | None = None  # base of one-tap links; default http://http_host:http_port
    link_secret: str | None = None  # signs links; default: made once in data_dir/link_secret
    notify_dry_run: bool = False  # every channel only writes data_dir/notifications.jsonl
    webhook_secret: str | None = None  # HMAC key of webhooks; default: the link secret
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "anju@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    sms_provider_url: str | None = None  # SMS and voice provider API (POST /sms, /voice)
    sms_provider_token: str = ""

    def resolved_timeseries_path(self) -> Path:
        return self.timeseries_path or self.data_dir / "timeseries.db"

    def resolved_state_url(self) -> str:
        return self.state_url or f"sqlite:///{self.data_dir / 'state.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = os.environ.get("ANJU_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=Path(config)))
        return tuple(sources)


def load(config: Path | None = None, **overrides: Any) -> Settings:
    if config is not None:
        os.environ["ANJU_CONFIG"] = str(config)
    return Settings(**overrides)
