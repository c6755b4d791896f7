"""The data `anju bench web` serves: 10,000 homes (resident, three devices, health record each),
one family member's account per resident, and a day of one home's readings.

Bulk inserts into the stores' own tables (one transaction per batch); the accounts share one
argon2id hash, computed once (10,000 hashes would take minutes and measure nothing).
"""

from __future__ import annotations

import random
import time
from typing import Any

import sqlalchemy as sa

from domain.points import FieldValue, Point
from domain.ports import TimeSeriesStore
from domain.record import FamilyMember, Household, ResidentRecord, SelfCare
from stores.state.records import BoardStore, record_json
from stores.state.sql import SqlStateStore
from web.auth.passwords import hash_password

SURNAMES = "岩玉刀李王张杨赵陈刘"
GIVEN = ("温", "香", "罕", "国栋", "秀英", "桂兰", "建华", "淑珍", "明", "光荣")
STREETS = ("勐泐大道", "嘎兰中路", "宣慰大道", "民族路", "勐海路", "曼听路")
READINGS_HOME = "bh00001"  # the home whose last day of readings is listed


def communities(homes: int) -> list[str]:
    return [f"bench-c{i:02d}" for i in range(max(1, homes // 500))]


def seed(store: SqlStateStore, homes: int, *, batch: int = 1000) -> list[str]:
    """`homes` homes, each with a resident, three devices and a resident record; bulk inserts
    (one transaction per `batch` homes) into the store's own tables. Returns the home ids."""
    board = BoardStore(store.engine, schema=store.schema)
    t = board.t
    comms = communities(homes)
    ids = [f"bh{i:05d}" for i in range(homes)]
    rng = random.Random(7)
    for start in range(0, homes, batch):
        rows: dict[str, list[dict[str, Any]]] = {
            "homes": [],
            "residents": [],
            "devices": [],
            "resident_records": [],
        }
        for i in range(start, min(homes, start + batch)):
            home = ids[i]
            street = STREETS[i % len(STREETS)]
            rows["homes"].append(
                {
                    "home_id": home,
                    "community_id": comms[i % len(comms)],
                    "address": f"景洪市{street} {i % 300 + 1} 号 {i // 300 + 1} 栋",
                    "lat": 22.0 + rng.random() * 0.05,
                    "lon": 100.78 + rng.random() * 0.05,
                    "timezone": "Asia/Shanghai",
                }
            )
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
            rows["residents"].append(
                {
                    "resident_id": f"{home}-r",
                    "home_id": home,
                    "name": name,
                    "birth_year": 1935 + i % 20,
                    "language": "zh-CN",
                    "phone": f"1380000{i:04d}",
                    "notes": "",
                    "risk": ["lives_alone"],
                }
            )
            for suffix, kind, room in (("sos", "sos_button", "bedroom"), ("pend", "pendant", None)):
                rows["devices"].append(
                    {
                        "device_id": f"{home}-{suffix}",
                        "home_id": home,
                        "kind": kind,
                        "model": "",
                        "room": room,
                        "enabled": True,
                    }
                )
            rows["devices"].append(
                {
                    "device_id": f"{home}-pir",
                    "home_id": home,
                    "kind": "motion",
                    "model": "",
                    "room": "living_room",
                    "enabled": True,
                }
            )
            rows["resident_records"].append(
                {
                    "resident_id": f"{home}-r",
                    "body": record_json_for(i),
                    "updated_ms": int(time.time() * 1000),
                    "updated_by": "user:bench",
                }
            )
        with store.engine.begin() as conn:
            for table, values in rows.items():
                conn.execute(sa.insert(t[table]), values)
    return ids


def record_json_for(i: int) -> dict[str, Any]:
    record = ResidentRecord(
        f"r{i}",
        household=Household.ALONE,
        conditions=(("高血压",), ("糖尿病",), ())[i % 3],
        self_care=SelfCare.PARTLY,
        family=(FamilyMember("岩香", "女儿", f"1390000{i:04d}"),),
    )
    return record_json(record)


def seed_family_users(
    store: SqlStateStore,
    users_table: sa.Table,
    scopes_table: sa.Table,
    homes: list[str],
    password: str,
    *,
    batch: int = 2000,
) -> int:
    """One family account per resident (`fam-<home>`), scoped to that resident."""
    digest = hash_password(password)
    now = int(time.time() * 1000)
    for start in range(0, len(homes), batch):
        part = homes[start : start + batch]
        users = [
            {"user_id": f"u-fam-{h}", "username": f"fam-{h}", "display_name": f"{h} 家属",
             "role": "family", "language": "zh-CN", "password_hash": digest, "disabled": False,
             "created_ms": now, "updated_ms": now}
            for h in part
        ]  # fmt: skip
        scopes = [{"user_id": f"u-fam-{h}", "kind": "resident", "value": f"{h}-r"} for h in part]
        with store.engine.begin() as conn:
            conn.execute(sa.insert(users_table), users)
            conn.execute(sa.insert(scopes_table), scopes)
    return len(homes)


def seed_readings(ts: TimeSeriesStore, home: str, *, hours: int = 24) -> int:
    """The pendant's minute readings and some motion events of the last `hours` in one home."""
    now = int(time.time() * 1000)
    points: list[Point] = []
    for m in range(hours * 60):
        ts_ms = now - (hours * 60 - m) * 60_000
        values: dict[str, FieldValue] = {
            "hr": 60.0 + m % 20,
            "steps": float(m * 3),
            "battery": 90.0,
        }
        points.append(Point(ts_ms, home, f"{home}-pend", m + 1, "reading", values))
        if m % 7 == 0:
            body: dict[str, FieldValue] = {"type": "motion", "state": True}
            points.append(Point(ts_ms + 1, home, f"{home}-pir", m + 1, "event", body))
    ts.write(points)
    return len(points)
