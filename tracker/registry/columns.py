"""The registry file's columns (docs/contract.md §3): header names in English and Chinese, and the
Chinese names of platforms and statuses."""

from __future__ import annotations

from tracker.domain.models import AccountStatus, Platform

COLUMNS = (
    "region", "org_name", "org_code", "platform", "account_id", "account_name",
    "feed_url", "profile_url", "status", "opened_on", "filing_no",
)
REQUIRED = ("region", "org_name", "org_code", "platform", "account_id", "account_name", "opened_on")

CHINESE_HEADERS = {
    "地区": "region",
    "主办单位": "org_name",
    "统一社会信用代码": "org_code",
    "平台": "platform",
    "账号ID": "account_id",
    "账号id": "account_id",
    "账号名称": "account_name",
    "订阅地址": "feed_url",
    "主页数据地址": "profile_url",
    "状态": "status",
    "开设日期": "opened_on",
    "备案编号": "filing_no",
}

PLATFORM_NAMES = {
    "微信": Platform.WECHAT, "微信公众号": Platform.WECHAT, "公众号": Platform.WECHAT,
    "微博": Platform.WEIBO, "新浪微博": Platform.WEIBO,
    "抖音": Platform.DOUYIN,
    "今日头条": Platform.TOUTIAO, "头条号": Platform.TOUTIAO, "头条": Platform.TOUTIAO,
    "快手": Platform.KUAISHOU,
    "哔哩哔哩": Platform.BILIBILI, "b站": Platform.BILIBILI,
    "小红书": Platform.XIAOHONGSHU,
    "客户端": Platform.APP, "app": Platform.APP, "移动客户端": Platform.APP,
    "其他": Platform.OTHER,
    "政府网站": Platform.WEBSITE, "网站": Platform.WEBSITE,
}

STATUS_NAMES = {
    "正常": AccountStatus.ACTIVE, "运行": AccountStatus.ACTIVE,
    "停更": AccountStatus.SUSPENDED,
    "已注销": AccountStatus.DEREGISTERED, "注销": AccountStatus.DEREGISTERED,
}

MAX_LENGTH = {
    "region": 512, "org_name": 256, "org_code": 18, "platform": 32, "account_id": 256,
    "account_name": 256, "feed_url": 2048, "profile_url": 2048, "status": 16,
    "opened_on": 32, "filing_no": 128,
}


def header_key(name: str) -> str | None:
    """The column a header cell names, or None."""
    cleaned = name.strip().lstrip("\ufeff").strip()
    if cleaned.lower() in COLUMNS:
        return cleaned.lower()
    return CHINESE_HEADERS.get(cleaned) or CHINESE_HEADERS.get(cleaned.replace(" ", ""))


PLATFORM_CODES = frozenset(p.value for p in Platform)
STATUS_CODES = frozenset(s.value for s in AccountStatus)


def platform_of(value: str) -> str | None:
    cleaned = value.strip()
    lowered = cleaned.lower()
    if lowered in PLATFORM_CODES:
        return lowered
    found = PLATFORM_NAMES.get(cleaned) or PLATFORM_NAMES.get(lowered)
    return found.value if found else None


def status_of(value: str) -> str | None:
    cleaned = value.strip()
    if not cleaned:
        return AccountStatus.ACTIVE.value
    lowered = cleaned.lower()
    if lowered in STATUS_CODES:
        return lowered
    found = STATUS_NAMES.get(cleaned)
    return found.value if found else None
