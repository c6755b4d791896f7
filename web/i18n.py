"""Words of the web pages: Simplified Chinese first, English second."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
DEFAULT: Lang = "zh"

STRINGS: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "安居 · 值班台",
        "heading": "值班台：待处理警报",
        "other_lang": "English",
        "other_lang_code": "en",
        "live": "实时连接",
        "offline": "连接中断，正在重连…",
        "none": "目前没有待处理的警报。",
        "actor": "值班员",
        "accept": "接警",
        "accepted_by": "已接警：",
        "raised_at": "报警时间",
        "ago_s": "秒前",
        "ago_m": "分钟前",
        "count": "次数",
        "room": "位置",
        "device": "设备",
        "address": "地址",
        "residents": "老人",
        "error": "操作失败：",
        "sev.critical": "紧急",
        "sev.major": "重要",
        "sev.minor": "提示",
        "sev.technical": "设备",
        "type.sos": "紧急呼叫 (SOS)",
        "type.fall": "跌倒",
        "type.inactivity": "长时间无活动",
        "type.device_offline": "设备离线",
        "state.raised": "新警报",
        "state.notified": "已通知",
        "state.accepted": "已接警",
        "state.in_progress": "处理中",
        "state.resolved": "已解决",
        "state.cancelled": "已取消",
        "room.bathroom": "卫生间",
        "room.kitchen": "厨房",
        "room.entrance": "门口",
        "room.bedroom": "卧室",
        "room.living_room": "客厅",
        "room.other": "其他",
    },
    "en": {
        "html_lang": "en",
        "title": "Anju · Operator board",
        "heading": "Operator board: open alarms",
        "other_lang": "中文",
        "other_lang_code": "zh",
        "live": "live",
        "offline": "connection lost, reconnecting…",
        "none": "No open alarms right now.",
        "actor": "Operator",
        "accept": "Accept",
        "accepted_by": "Accepted by ",
        "raised_at": "Raised",
        "ago_s": "s ago",
        "ago_m": "min ago",
        "count": "Count",
        "room": "Where",
        "device": "Device",
        "address": "Address",
        "residents": "Resident",
        "error": "Failed: ",
        "sev.critical": "Critical",
        "sev.major": "Major",
        "sev.minor": "Notice",
        "sev.technical": "Device",
        "type.sos": "SOS call",
        "type.fall": "Fall",
        "type.inactivity": "No activity",
        "type.device_offline": "Device offline",
        "state.raised": "New",
        "state.notified": "Notified",
        "state.accepted": "Accepted",
        "state.in_progress": "In progress",
        "state.resolved": "Resolved",
        "state.cancelled": "Cancelled",
        "room.bathroom": "Bathroom",
        "room.kitchen": "Kitchen",
        "room.entrance": "Entrance",
        "room.bedroom": "Bedroom",
        "room.living_room": "Living room",
        "room.other": "Other",
    },
}


def pick(lang: str | None) -> Lang:
    """`?lang=en` for English; anything else (or nothing) is Chinese, the default."""
    if lang is not None and lang.lower().startswith("en"):
        return "en"
    return DEFAULT
