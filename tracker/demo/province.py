"""A synthetic province (福建省): regions, units with valid 统一社会信用代码, and accounts on every
platform and feed format, each with a behaviour: healthy, or one planted case of a rule.

Deterministic for a given seed, so tests and the demo see the same province.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.orgcode import make_org_code

PROVINCE = "福建省"
CITIES = {
    "福州市": ("鼓楼区", "台江区", "仓山区", "晋安区", "闽侯县", "连江县"),
    "厦门市": ("思明区", "湖里区", "集美区", "海沧区"),
    "泉州市": ("鲤城区", "丰泽区", "晋江市", "石狮市", "惠安县"),
    "漳州市": ("芗城区", "龙文区", "漳浦县"),
    "莆田市": ("城厢区", "涵江区", "仙游县"),
    "三明市": ("三元区", "沙县区"),
    "南平市": ("延平区", "武夷山市"),
    "龙岩市": ("新罗区", "长汀县"),
    "宁德市": ("蕉城区", "福鼎市"),
}
PROVINCE_UNITS = ("人民政府办公厅", "教育厅", "公安厅", "卫生健康委员会", "文化和旅游厅", "应急管理厅", "生态环境厅", "市场监督管理局")
LOCAL_UNITS = ("人民政府", "融媒体中心", "公安局", "市场监督管理局", "教育局", "卫生健康局", "文化和旅游局", "应急管理局")
ACCOUNT_SUFFIX = {"wechat": "发布", "weibo": "发布", "douyin": "", "toutiao": "头条", "kuaishou": "快手号",
                  "bilibili": "B站", "xiaohongshu": "", "app": "客户端", "other": "网"}

# Feed formats of docs/contract.md §5.1, and which platforms serve each in the demo.
FORMATS = {
    "weibo": ("weibo_json", "rss"),
    "wechat": ("atom", "rss"),
    "douyin": ("douyin_json",),
    "toutiao": ("rss",),
    "kuaishou": ("jsonfeed",),
    "bilibili": ("rss", "rdf"),
    "xiaohongshu": ("rdf", "jsonfeed"),
    "app": ("app_probe",),
    "other": ("jsonfeed", "rss"),
}
PLATFORMS = tuple(FORMATS)
APP_UNITS = ("融媒体中心", "人民政府")  # units that run a mobile app of their own
MAX_ACCOUNTS = 20000  # beyond the built-in units, 街道办事处 are added as needed

# Planted cases: name → (platform, format) it needs, or None for any. Each is planted twice.
CASES: dict[str, tuple[str, str] | None] = {
    "empty_shell": None,
    "dormant": None,
    "no_update": None,
    "low_frequency": None,
    "repost_only": ("weibo", "weibo_json"),
    "stop_notice": ("wechat", "atom"),
    "suspended_not_closed": None,
    "comments_disabled": ("douyin", "douyin_json"),
    "comments_observed": None,
    "ad_taobao": ("wechat", "rss"),
    "ad_jd": ("toutiao", "rss"),
    "ad_marked": ("douyin", "douyin_json"),
    "privacy_id": ("bilibili", "rdf"),
    "privacy_mobile": ("kuaishou", "jsonfeed"),
    "lexicon": ("weibo", "rss"),
    "renamed_profile": ("weibo", "weibo_json"),
    "unverified": ("weibo", "weibo_json"),
    "wrong_subject": ("douyin", "douyin_json"),
    "duplicate": ("wechat", "atom"),
    "late_filing": None,
    "app_unavailable": ("app", "app_probe"),
    "fake_engagement": None,
    "feed_http_error": ("toutiao", "rss"),
    "feed_captcha": ("bilibili", "rss"),
    "feed_platform_error": ("weibo", "weibo_json"),
    "closed": None,
}
# Healthy accounts that went quiet: their newest post is 10 and 12 days old, so the 14-day
# window of 内容不更新 closes in 4 and 2 days (临期预警 at both stages of `[alerts] warn_days`).
# Picked among the healthy accounts after the draw, so the rest of the province stays the same.
LAPSING = ("lapse_in_4", "lapse_in_2")


@dataclass
class DemoAccount:
    region: str
    org_name: str
    org_code: str
    platform: str
    account_id: str
    account_name: str
    opened_on: date
    fmt: str
    case: str = "healthy"
    followers: int = 0

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.account_id}"


@dataclass(frozen=True)
class Unit:
    region: str
    org_name: str
    org_code: str


def region_paths() -> list[str]:
    paths = [PROVINCE]
    for city, counties in CITIES.items():
        paths.append(f"{PROVINCE}/{city}")
        paths.extend(f"{PROVINCE}/{city}/{county}" for county in counties)
    return paths


def units(rng: random.Random, extra: int = 0) -> list[Unit]:
    """Every unit of every region, with a valid code (a 17-character body plus check character);
    `extra` more units (街道办事处) per city and county make room for a bigger province."""
    found: list[Unit] = []
    codes: set[str] = set()
    for index, path in enumerate(region_paths()):
        place = path.split("/")[-1]
        names = PROVINCE_UNITS if path == PROVINCE else LOCAL_UNITS + tuple(f"第{k + 1}街道办事处" for k in range(extra))
        for number, unit in enumerate(names):
            org_name = f"{PROVINCE}{unit}" if path == PROVINCE else f"{place}{unit}"
            code = ""
            while not code or code in codes:  # a shared code would plant a duplicate_account case
                code = make_org_code(f"11350{index:03d}{number % 100:02d}{rng.randrange(10**7):07d}")
            codes.add(code)
            found.append(Unit(path, org_name, code))
    return found


def _account(rng: random.Random, unit: Unit, platform: str, serial: int, today: date, fmt: str | None = None) -> DemoAccount:
    place = unit.org_name.removeprefix(PROVINCE) if unit.region != PROVINCE else unit.org_name
    name = place + ACCOUNT_SUFFIX[platform]
    account_id = {
        "wechat": f"gh_{serial:012x}",
        "weibo": str(5_000_000_000 + serial * 7919),
        "douyin": f"MS4wLjABAAAA{serial:08d}",
    }.get(platform, f"{platform[:2]}{100000 + serial}")
    return DemoAccount(
        region=unit.region, org_name=unit.org_name, org_code=unit.org_code, platform=platform,
        account_id=account_id, account_name=name, opened_on=today - timedelta(days=rng.randrange(120, 2000)),
        fmt=fmt or rng.choice(FORMATS[platform]), followers=rng.randrange(800, 2_000_000),
    )


def generate(count: int, today: date, seed: int = 2026) -> list[DemoAccount]:
    """`count` accounts: the planted cases first (two of each), the rest healthy."""
    if not 1 <= count <= MAX_ACCOUNTS:
        raise ValueError(f"the demo province has 1 to {MAX_ACCOUNTS} accounts, asked for {count}")
    rng = random.Random(seed)
    local_regions = len(region_paths()) - 1
    # Half the (unit, platform) slots stay free, so that drawing a free one stays quick.
    extra = max(0, -(-(2 * count - len(units(random.Random(0))) * 8) // (local_regions * 8)))
    pool = units(rng, extra)
    rounds: tuple[list[DemoAccount], list[DemoAccount]] = ([], [])  # first and second planting of each case
    serial = 0
    for case, need in CASES.items():
        for accounts in rounds:
            serial += 1
            platform, fmt = need if need else (rng.choice(PLATFORMS[:-2]), None)
            unit = pool[(serial * 7) % len(pool)]
            account = _account(rng, unit, platform, serial, today, fmt)
            account.case = case
            accounts.append(account)
            if case == "duplicate":  # the same unit's second account on the same platform
                serial += 1
                twin = _account(rng, unit, platform, serial, today, fmt)
                twin.case, twin.account_name = "duplicate", twin.account_name + "2"
                accounts.append(twin)
    accounts = rounds[0] + rounds[1]  # a small province still gets one case of each rule first
    taken = {(a.org_code, a.platform) for a in accounts}
    while len(accounts) < count:
        serial += 1
        unit = pool[rng.randrange(len(pool))]
        platform = PLATFORMS[serial % len(PLATFORMS)]
        if (unit.org_code, platform) in taken or (platform == "app" and not unit.org_name.endswith(APP_UNITS)):
            continue
        taken.add((unit.org_code, platform))
        accounts.append(_account(rng, unit, platform, serial, today))
    accounts = accounts[:count]  # a very small province keeps the first planted cases only
    quiet = (a for a in accounts if a.case == "healthy" and a.platform != "app")
    for case, account in zip(LAPSING, quiet, strict=False):
        account.case = case
    return accounts
