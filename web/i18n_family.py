"""Words of the family view: Simplified Chinese first (the default), English second.

`sentence` turns a day summary's language-free phrases (domain.summary) into calm plain words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from web.i18n import ERROR_PAIRS, Lang, pick

__all__ = ["STRINGS", "Lang", "lang_of", "sentence", "type_name"]

PHRASES: dict[Lang, dict[str, str]] = {
    "zh": {
        "up": "起床 {time}",
        "resting": "还在休息",
        "not_up": "到现在还没有起床的动静，建议打个电话问候一下",
        "breakfast": "吃过早饭（厨房 {from}–{to}）",
        "lunch": "吃过午饭（厨房 {from}–{to}）",
        "dinner": "吃过晚饭（厨房 {from}–{to}）",
        "went_out": "{time} 出门",
        "back_home": "{time} 回家",
        "out_now": "现在外出中（{time} 出门）",
        "no_data_today": "今天还没有收到家里传感器的信号，可能是设备问题，不一定是老人有事；"
        "放心起见可以打个电话",
        "device_problem": "家里设备可能有问题（{time} 以后没有收到信号），工作人员会跟进",
        "device_problem_bare": "家里设备可能有问题，工作人员会跟进",
        "last_seen": "最近一次活动：{time}（{room}）",
        "alarm_open": "{time} {type}，正在通知家人和社区呼叫中心",
        "alarm_taken": "{time} {type}，由 {who} 处理",
        "alarm_in_progress": "{time} {type}，{who} 正在处理中",
        "alarm_closed": "{time} 的{type}已处理完毕",
        "all_fine": "今天一切正常",
        "all_fine_now": "现在一切正常",
        "sep": "，",
        "end": "。",
        "you": "您",
    },
    "en": {
        "up": "up at {time}",
        "resting": "still resting",
        "not_up": "no sign of getting up yet; a call to say hello would be good",
        "breakfast": "breakfast in the kitchen {from}–{to}",
        "lunch": "lunch in the kitchen {from}–{to}",
        "dinner": "dinner in the kitchen {from}–{to}",
        "went_out": "went out at {time}",
        "back_home": "back home at {time}",
        "out_now": "out now (left at {time})",
        "no_data_today": "no signal from the sensors at home today; probably a device problem, "
        "not necessarily a problem with your relative; a call would settle it",
        "device_problem": "the devices at home may have a problem (no signal since {time}); "
        "staff will follow up",
        "device_problem_bare": "the devices at home may have a problem; staff will follow up",
        "last_seen": "last activity at {time} ({room})",
        "alarm_open": "{type} at {time}: the family and the call centre are being told",
        "alarm_taken": "{type} at {time}: handled by {who}",
        "alarm_in_progress": "{type} at {time}: {who} is on it",
        "alarm_closed": "the {type} at {time} has been dealt with",
        "all_fine": "all is fine today",
        "all_fine_now": "all is fine now",
        "sep": ", ",
        "end": ".",
        "you": "you",
    },
}

TYPES: dict[str, tuple[str, str]] = {
    "sos": ("紧急呼叫", "SOS call"),
    "fall": ("可能跌倒", "possible fall"),
    "long_lie": ("跌倒后长时间未起身", "long lie after a fall"),
    "inactivity": ("长时间没有活动", "long quiet spell"),
    "no_activity": ("长时间没有活动", "long quiet spell"),
    "no_activity_window": ("该活动的时间没有活动", "no activity when expected"),
    "bathroom_too_long": ("在卫生间时间过长", "long time in the bathroom"),
    "not_up": ("没有按时起床", "not up at the usual time"),
    "out_of_bed_night": ("夜里起床未回床", "up at night and not back to bed"),
    "door_at_night": ("夜间开门外出", "front door at night"),
    "not_returned": ("外出未归", "not back home"),
    "wandering": ("夜间外出未归", "out at night"),
    "smoke": ("烟雾报警", "smoke alarm"),
    "kitchen_hot": ("厨房温度过高", "kitchen too hot"),
    "no_kitchen_activity": ("今天没有做饭", "no cooking today"),
    "wellness": ("生活规律有变化", "change in daily routine"),
    "routine": ("生活规律有变化", "change in daily routine"),
    "device_offline": ("设备离线", "device offline"),
    "battery_low": ("电池电量低", "battery low"),
}

ROOMS: dict[Lang, dict[str, str]] = {
    "zh": {
        "bathroom": "卫生间",
        "kitchen": "厨房",
        "entrance": "门口",
        "bedroom": "卧室",
        "living_room": "客厅",
        "other": "家中",
        "": "家中",
    },
    "en": {
        "bathroom": "bathroom",
        "kitchen": "kitchen",
        "entrance": "entrance",
        "bedroom": "bedroom",
        "living_room": "living room",
        "other": "at home",
        "": "at home",
    },
}

STRINGS: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "安居 · 家人",
        "today": "今天",
        "other_lang": "English",
        "other_lang_code": "en",
        "relative": "家人",
        "your_name": "您的称呼（通知顺序里显示）",
        "no_relatives": "您的账号还没有关联家人，请联系社区。",
        "summary": "今日概况",
        "alarms_open": "正在处理的警报",
        "no_open": "目前没有警报。",
        "accept": "我来处理",
        "handled_by": "由 {who} 处理",
        "in_progress_by": "{who} 正在处理中",
        "waiting": "正在通知家人和呼叫中心，还没有人接手",
        "history": "以往警报",
        "no_history": "没有以往的警报。",
        "more": "更多",
        "prefs": "通知设置",
        "channels": "通知方式",
        "ch.sms": "短信",
        "ch.voice": "语音电话",
        "ch.email": "电子邮件",
        "ch.webhook": "Webhook",
        "addr.sms": "手机号（短信）",
        "addr.voice": "电话（语音）",
        "addr.email": "电子邮箱",
        "addr.webhook": "Webhook 地址",
        "quiet": "免打扰时段（紧急警报仍会通知）",
        "quiet_from": "从",
        "quiet_to": "到",
        "language": "语言",
        "save": "保存",
        "saved": "已保存",
        "order": "通知顺序",
        "order_note": "警报发生时，按以下顺序通知；有人接手后即停止。",
        "stage": "第 {n} 步",
        "you_mark": "（您）",
        "role.family": "家属",
        "role.call_centre": "社区呼叫中心",
        "role.supervisor": "值班主管",
        "role.emergency": "120 急救",
        "role.operator": "运维",
        "live": "实时更新",
        "offline": "连接中断，正在重连…",
        "error": "操作失败：",
        **{key: zh for key, zh, _ in ERROR_PAIRS},
        "state.raised": "新警报",
        "state.notified": "已通知",
        "state.accepted": "已接手",
        "state.in_progress": "处理中",
        "state.resolved": "已处理完毕",
        "state.cancelled": "老人已取消",
        "logout": "退出",
        "you": "您",
        "forbidden": "此账号不能查看老人的信息。",
        "prev_day": "前一天",
        "next_day": "后一天",
        "status.alarm": "有警报",
        "status.no_data": "设备可能有问题",
        "status.not_up": "还没起床",
        "status.out": "外出中",
        "status.resting": "休息中",
        "status.fine": "一切正常",
        "support": "（工作人员查看）",
    },
    "en": {
        "html_lang": "en",
        "title": "Anju · Family",
        "today": "Today",
        "other_lang": "中文",
        "other_lang_code": "zh",
        "relative": "Relative",
        "your_name": "Your name (shown in the order)",
        "no_relatives": "Your account has no relatives linked yet; please contact the community.",
        "summary": "Today",
        "alarms_open": "Alarms being handled",
        "no_open": "No alarms right now.",
        "accept": "I'll handle it",
        "handled_by": "handled by {who}",
        "in_progress_by": "{who} is on it",
        "waiting": "the family and the call centre are being told; nobody has taken it yet",
        "history": "Earlier alarms",
        "no_history": "No earlier alarms.",
        "more": "More",
        "prefs": "Notifications",
        "channels": "How to reach you",
        "ch.sms": "SMS",
        "ch.voice": "Voice call",
        "ch.email": "E-mail",
        "ch.webhook": "Webhook",
        "addr.sms": "Mobile (SMS)",
        "addr.voice": "Phone (voice)",
        "addr.email": "E-mail",
        "addr.webhook": "Webhook URL",
        "quiet": "Quiet hours (critical alarms still come through)",
        "quiet_from": "from",
        "quiet_to": "to",
        "language": "Language",
        "save": "Save",
        "saved": "Saved",
        "order": "Who is told, in order",
        "order_note": "When an alarm happens these are told in this order, until someone takes it.",
        "stage": "Step {n}",
        "you_mark": " (you)",
        "role.family": "Family",
        "role.call_centre": "Community call centre",
        "role.supervisor": "Duty supervisor",
        "role.emergency": "120 ambulance",
        "role.operator": "Technical staff",
        "live": "live",
        "offline": "connection lost, reconnecting…",
        "error": "Failed: ",
        **{key: en for key, _, en in ERROR_PAIRS},
        "state.raised": "New",
        "state.notified": "Told",
        "state.accepted": "Taken",
        "state.in_progress": "In progress",
        "state.resolved": "Dealt with",
        "state.cancelled": "Cancelled by your relative",
        "logout": "Sign out",
        "you": "you",
        "forbidden": "This account may not see residents' information.",
        "prev_day": "Previous day",
        "next_day": "Next day",
        "status.alarm": "Alarm",
        "status.no_data": "Device problem?",
        "status.not_up": "Not up yet",
        "status.out": "Out",
        "status.resting": "Resting",
        "status.fine": "All fine",
        "support": " (staff view)",
    },
}


def lang_of(query: str | None, setting: str | None = None) -> Lang:
    """`?lang=` wins, then the user's language setting; Chinese by default."""
    return pick(query if query else setting)


def type_name(type_: str, lang: Lang) -> str:
    zh, en = TYPES.get(type_, (type_, type_.replace("_", " ")))
    return zh if lang == "zh" else en


def who_name(actor: str, lang: Lang, me: str, names: Mapping[str, str]) -> str:
    """An actor id as a person: "you" for the reader, else their display name."""
    if actor == me:
        return PHRASES[lang]["you"]
    if actor in names:
        return names[actor]
    return actor.split(":", 1)[-1] if ":" in actor else actor


def sentence(
    phrases: Sequence[tuple[str, Mapping[str, str]]],
    lang: Lang,
    *,
    me: str = "",
    names: Mapping[str, str] | None = None,
) -> str:
    """Calm sentences: alarms first, then the day: "09:00 紧急呼叫，由 您 处理。起床 07:10，
    吃过早饭（厨房 07:40–08:05），今天一切正常。"."""
    words = PHRASES[lang]
    alarms: list[str] = []
    day: list[str] = []
    for key, params in phrases:
        values = dict(params)
        if "type" in values:
            values["type"] = type_name(values["type"], lang)
        if "who" in values:
            values["who"] = who_name(values["who"], lang, me, names or {})
        if "room" in values:
            values["room"] = ROOMS[lang].get(values["room"], values["room"])
        bare = key == "device_problem" and "time" not in values
        text = words["device_problem_bare" if bare else key].format(**values)
        (alarms if key.startswith("alarm_") else day).append(text)
    out = [words["sep"].join(group) + words["end"] for group in (alarms, day) if group]
    if lang == "en":
        out = [t[0].upper() + t[1:] for t in out]
    return (" " if lang == "en" else "").join(out)
