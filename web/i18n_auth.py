"""Words of the log-in page and auth messages: Simplified Chinese first, English second."""

from __future__ import annotations

from web.i18n import Lang

AUTH_STRINGS: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "安居 · 登录",
        "heading": "登录安居",
        "username": "用户名",
        "password": "密码",
        "submit": "登录",
        "other_lang": "English",
        "other_lang_code": "en",
        "wrong": "用户名或密码不正确。",
        "throttled": "登录失败次数过多，请 {s} 秒后再试。",
        "csrf": "页面已过期，请重新登录。",
        "logged_out": "您已退出登录。",
        "logout": "退出登录",
        "forbidden": "您的账户无权查看此页面。",
    },
    "en": {
        "html_lang": "en",
        "title": "Anju · Log in",
        "heading": "Log in to Anju",
        "username": "User name",
        "password": "Password",
        "submit": "Log in",
        "other_lang": "中文",
        "other_lang_code": "zh",
        "wrong": "Wrong user name or password.",
        "throttled": "Too many failed log-ins; try again in {s} s.",
        "csrf": "The page expired; please log in again.",
        "logged_out": "You are logged out.",
        "logout": "Log out",
        "forbidden": "Your account may not see this page.",
    },
}
