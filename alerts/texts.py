"""Message texts in Simplified Chinese (first) and English: what happened, where, who knows.

Pure functions: the engine renders a message when a stage fires and stores it in the outbox,
so what was sent is exactly what is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from domain.alarms import Alarm

TYPE_NAMES: dict[str, tuple[str, str]] = {
    "sos": ("紧急呼叫", "SOS call"),
    "fall": ("跌倒", "fall"),
    "long_lie": ("跌倒后长时间未起身", "long lie after a fall"),
    "inactivity": ("长时间无活动", "no activity for a long time"),
    "wandering": ("夜间外出未归", "wandering"),
    "smoke": ("烟雾报警", "smoke alarm"),
    "wellness": ("健康提醒", "wellness notice"),
    "device_offline": ("设备离线", "device offline"),
    "battery_low": ("电池电量低", "battery low"),
}

T: dict[str, dict[str, str]] = {
    "zh-CN": {
        "subject": "【安居】{who}：{what}",
        "what": "{who}家中发生{what}（{time}）。",
        "where": "地址：{address}",
        "map": "地图：{url}",
        "wearable": "手环位置（外出）：{url}",
        "told": "已通知：{names}",
        "nobody": "您是第一位被通知的人。",
        "taken": "{name} 已接手处理。",
        "link": "我来处理（点此确认）：\n{url}",
        "repeat": "（第{n}次提醒，尚无人接手）",
        "resident": "老人",
    },
    "en": {
        "subject": "[Anju] {who}: {what}",
        "what": "{what} at {who}'s home ({time}).",
        "where": "Address: {address}",
        "map": "Map: {url}",
        "wearable": "Wearable location (out): {url}",
        "told": "Also told: {names}",
        "nobody": "You are the first to be told.",
        "taken": "{name} has taken charge.",
        "link": "I'm handling it (tap to confirm):\n{url}",
        "repeat": "(reminder {n}: nobody has taken charge yet)",
        "resident": "the resident",
    },
}


@dataclass(frozen=True, slots=True)
class Place:
    address: str
    lat: float | None = None
    lon: float | None = None
    timezone: str = "Asia/Shanghai"
    residents: tuple[str, ...] = ()


def language_of(code: str) -> str:
    return "en" if code.lower().startswith("en") else "zh-CN"


def type_name(alarm_type: str, language: str) -> str:
    names = TYPE_NAMES.get(alarm_type)
    if names is None:
        return alarm_type
    return names[0] if language == "zh-CN" else names[1]


def map_url(lat: float, lon: float, label: str = "") -> str:
    """AMap (高德) marker link; opens in the app or the browser on any phone in China."""
    name = quote(label or "Anju", safe="")
    return f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}&name={name}"


def wearable_position(evidence: Mapping[str, Any]) -> tuple[float, float] | None:
    """A wearable's own position, when the evidence carries one (the person is out)."""
    loc = evidence.get("location", evidence)
    if isinstance(loc, Mapping):
        lat, lon = loc.get("lat"), loc.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return float(lat), float(lon)
    return None


def render(
    alarm: Alarm,
    place: Place,
    *,
    language: str,
    told: Sequence[str] = (),
    link: str | None = None,
    round_: int = 0,
) -> dict[str, Any]:
    """The message one person gets: subject, text (SMS/e-mail/voice) and the pieces as data."""
    lang = language_of(language)
    t = T[lang]
    who = "、".join(place.residents) if lang == "zh-CN" else ", ".join(place.residents)
    who = who or t["resident"]
    what = type_name(alarm.type, lang)
    when = datetime.fromtimestamp(alarm.raised_ms / 1000, ZoneInfo(place.timezone))
    lines = [t["what"].format(who=who, what=what, time=when.strftime("%H:%M"))]
    if round_ > 0:
        lines.append(t["repeat"].format(n=round_ + 1))
    if place.address:
        lines.append(t["where"].format(address=place.address))
    home_map = None
    if place.lat is not None and place.lon is not None:
        home_map = map_url(place.lat, place.lon, place.address)
        lines.append(t["map"].format(url=home_map))
    out = wearable_position(alarm.evidence)
    out_map = None if out is None else map_url(out[0], out[1])
    if out_map is not None:
        lines.append(t["wearable"].format(url=out_map))
    sep = "、" if lang == "zh-CN" else ", "
    lines.append(t["told"].format(names=sep.join(told)) if told else t["nobody"])
    if link:
        lines.append(t["link"].format(url=link))
    return {
        "language": lang,
        "subject": t["subject"].format(who=who, what=what),
        "text": "\n".join(lines),
        "alarm_id": alarm.alarm_id,
        "type": alarm.type,
        "severity": alarm.severity.value,
        "home_id": alarm.home_id,
        "address": place.address,
        "map_url": home_map,
        "wearable_map_url": out_map,
        "told": list(told),
        "link": link,
        "round": round_,
    }


def taken_text(name: str, language: str) -> str:
    return T[language_of(language)]["taken"].format(name=name)
