"""The demo province as a web site: a route (path → feed body) per account and the registry
file that points at them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.demo import feeds
from tracker.demo.posts import posts_for, profile_for
from tracker.demo.province import DemoAccount
from tracker.demo.server import Response

RENAMED_SUFFIX = "政务"  # the late_filing case files a rename to name + this


@dataclass
class SitePaths:
    feed: str
    profile: str | None = None


def paths_for(account: DemoAccount) -> SitePaths:
    aid, platform = account.account_id, account.platform
    return {
        "rss": SitePaths(f"/rsshub/{platform}/user/{aid}"),
        "atom": SitePaths(f"/wewe/feeds/{aid}.atom"),
        "rdf": SitePaths(f"/rss1/{platform}/{aid}.rdf"),
        "jsonfeed": SitePaths(f"/rsshub/{platform}/user/{aid}?format=json"),
        "weibo_json": SitePaths(f"/api/container/getIndex?containerid=107603{aid}",
                                f"/api/container/getIndex?type=uid&value={aid}"),
        "douyin_json": SitePaths(f"/aweme/v1/web/aweme/post/?sec_user_id={aid}"),
        "app_probe": SitePaths(f"/app/{aid}/download"),
    }[account.fmt]


def filed_name(account: DemoAccount) -> str:
    """The name after the demo's filings (the late_filing case is renamed)."""
    return account.account_name + (RENAMED_SUFFIX if account.case == "late_filing" else "")


def _feed_body(account: DemoAccount, now: datetime, seed: int) -> Response:
    if account.case == "feed_http_error":
        return Response(502, "text/html", b"<html><body>502 Bad Gateway</body></html>")
    if account.case == "feed_captcha":
        return Response(200, *feeds.CAPTCHA_PAGE)
    if account.case == "feed_platform_error":
        return Response(200, *feeds.WEIBO_PLATFORM_ERROR)
    posts = posts_for(account, now, seed)
    profile = profile_for(account, filed_name(account))
    render = {
        "rss": lambda: feeds.rss(account, posts),
        "atom": lambda: feeds.atom(account, posts),
        "rdf": lambda: feeds.rdf(account, posts),
        "jsonfeed": lambda: feeds.jsonfeed(account, posts),
        "weibo_json": lambda: feeds.weibo_json(account, posts, profile),
        "douyin_json": lambda: feeds.douyin_json(account, posts, profile),
        "app_probe": lambda: feeds.app_page(account),
    }[account.fmt]
    return Response(200, *render())


def routes(accounts: list[DemoAccount], now: datetime, seed: int = 0) -> dict[str, Response]:
    served: dict[str, Response] = {}
    for account in accounts:
        paths = paths_for(account)
        if account.case == "app_unavailable":
            continue  # the download page is gone: 404
        served[paths.feed] = _feed_body(account, now, seed)
        if paths.profile and account.case != "feed_platform_error":
            served[paths.profile] = Response(200, *feeds.weibo_profile(account, profile_for(account, filed_name(account))))
    return served


HEADER = ("地区", "主办单位", "统一社会信用代码", "平台", "账号ID", "账号名称", "订阅地址", "主页数据地址", "状态", "开设日期", "备案编号")


def write_registry(path: Path, accounts: list[DemoAccount], base_url: str, extra: Sequence[tuple[str, ...]] = ()) -> Path:
    """The registry file an administrator would import (Chinese headers, UTF-8 with BOM)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, account in enumerate(accounts, start=1):
            paths = paths_for(account)
            writer.writerow((
                account.region, account.org_name, account.org_code, account.platform, account.account_id,
                account.account_name, base_url + paths.feed if paths.feed else "",
                base_url + paths.profile if paths.profile else "", "正常", account.opened_on.isoformat(),
                f"闽政新媒备{account.opened_on.year}{number:05d}号",
            ))
        writer.writerows(extra)  # the 政府网站 (tracker.demo.websites)
    return path

