"""The one table of each code's name, (中文, English): platforms, filing kinds, poll outcomes.
The TUI, the evidence sentences and the 通报 all read them from here."""

from __future__ import annotations

PLATFORMS: dict[str, tuple[str, str]] = {
    "wechat": ("微信", "WeChat"), "weibo": ("微博", "Weibo"), "douyin": ("抖音", "Douyin"),
    "toutiao": ("今日头条", "Toutiao"), "kuaishou": ("快手", "Kuaishou"), "bilibili": ("哔哩哔哩", "Bilibili"),
    "xiaohongshu": ("小红书", "Xiaohongshu"), "app": ("客户端", "App"), "other": ("其他平台", "other platform"),
    "website": ("政府网站", "government website"),
}
FILING_KINDS: dict[str, tuple[str, str]] = {
    "open": ("开设", "opening"), "rename": ("更名", "rename"), "transfer": ("变更主办单位", "transfer"),
    "suspend": ("停更", "suspension"), "close": ("注销", "closure"), "update": ("信息变更", "update"),
    "resume": ("恢复", "resumption"),
}
POLL_OUTCOMES: dict[str, tuple[str, str]] = {
    "blocked": ("被拦截", "blocked"), "http_error": ("HTTP错误", "HTTP error"), "timeout": ("超时", "timeout"),
    "parse_error": ("无法解析", "parse error"), "platform_error": ("平台报错", "platform error"),
    "network_error": ("网络错误", "network error"), "too_large": ("内容过大", "too large"),
    "unavailable": ("无法使用", "unavailable"), "not_modified": ("未变化", "not modified"), "ok": ("成功", "ok"),
}


def zh_names(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {code: pair[0] for code, pair in table.items()}
