"""The demo province's 政府网站 (docs/contract.md §10): one portal per city government, served by the
demo's loopback server, each healthy or with one planted case of a website rule; the week of
availability probes before today is written as history (a live probe round follows)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from tracker.demo.province import PROVINCE, units
from tracker.demo.server import Response
from tracker.domain.times import local_date

# case → what it plants (every site but `healthy*` breaks one rule)
CASES = ("healthy", "unreachable", "stale_home", "stale_columns", "missing_marks",
         "broken_links", "no_jiucuo", "no_tags", "new_site")
HTML = "text/html; charset=utf-8"
DYNAMIC = ("工作动态", "部门动态", "基层动态", "图片新闻", "政务要闻", "今日关注")
POLICY = ("通知公告", "政策文件", "政策解读")


@dataclass(frozen=True)
class DemoWebsite:
    region: str
    org_name: str
    org_code: str
    site_code: str
    name: str
    case: str
    opened_on: date

    @property
    def key(self) -> str:
        return f"website:{self.site_code}"

    @property
    def path(self) -> str:
        return f"/site/{self.site_code}/"


def generate(today: date, seed: int = 2026) -> list[DemoWebsite]:
    cities = [u for u in units(random.Random(seed)) if u.org_name.endswith("人民政府") and u.region.count("/") == 1]
    sites = []
    for number, (unit, case) in enumerate(zip(cities, CASES, strict=False), start=1):
        opened = today - timedelta(days=3) if case == "new_site" else date(2015, 1, 1)
        sites.append(DemoWebsite(unit.region, unit.org_name, unit.org_code, f"35{number:02d}000001",
                                 f"{unit.org_name}门户网站", case, opened))
    return sites


def _items(today: date, ages: list[int], path: str) -> str:
    return "\n".join(f'<li><a href="{path}a{age}.html">信息{age}</a><span>{today - timedelta(days=age):%Y-%m-%d}</span></li>'
                     for age in ages)


def _column(site: DemoWebsite, name: str, today: date, ages: list[int]) -> bytes:
    tags = "" if site.case == "no_tags" else (
        f'<meta name="SiteName" content="{escape(site.name)}"><meta name="SiteDomain" content="demo.gov.cn">'
        f'<meta name="SiteIDCode" content="{site.site_code}"><meta name="ColumnName" content="{escape(name)}">')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{tags}<title>{escape(name)}</title></head><body>'
            f'<ul class="list">{_items(today, ages, site.path)}</ul></body></html>').encode()


def _homepage(site: DemoWebsite, today: date) -> bytes:
    tags = "" if site.case == "no_tags" else (
        f'<meta name="SiteName" content="{escape(site.name)}"><meta name="SiteDomain" content="demo.gov.cn">'
        f'<meta name="SiteIDCode" content="{site.site_code}">')
    nav = "".join(f'<a href="{site.path}col{i}/">{name}</a>' for i, name in enumerate(DYNAMIC + POLICY))
    ages = [40, 60] if site.case == "stale_home" else [1, 2, 5]
    dead = "".join(f'<a href="{site.path}gone{i}.html">旧链接{i}</a>' for i in range(3)) if site.case == "broken_links" else ""
    jiucuo = "" if site.case == "no_jiucuo" else (
        f'<a href="{site.path}zfwzzc/errorfix.html"><img src="{site.path}jiucuo.png" alt="我为政府网站找错"></a>')
    police = "" if site.case == "missing_marks" else "<p>闽公网安备 35010202000001号</p>"
    contact = "" if site.case == "missing_marks" else "<p>联系电话：0591-12345678</p>"
    footer = (f'<div class="footer"><a href="{site.path}conac.html"><img src="{site.path}conac.png" alt="党政机关"></a>'
              f'{jiucuo}<p>主办单位：{escape(site.org_name)}办公室</p>{contact}<p>网站标识码：{site.site_code}　闽ICP备05011111号</p>'
              f'{police}</div>')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{tags}<title>{escape(site.name)}</title></head><body>'
            f'<div class="nav">{nav}</div><ul class="list">{_items(today, ages, site.path)}</ul>{dead}{footer}'
            f'</body></html>').encode()


def routes(sites: list[DemoWebsite], now: datetime) -> dict[str, Response]:
    today = local_date(now)
    served: dict[str, Response] = {}
    for site in sites:
        served[site.path] = Response(200, HTML, _homepage(site, today))
        for i, name in enumerate(DYNAMIC + POLICY):
            stale = site.case == "stale_columns" and name in DYNAMIC
            served[f"{site.path}col{i}/"] = Response(200, HTML, _column(site, name, today, [30, 45] if stale else [1, 3]))
        for age in (1, 2, 3, 5, 30, 40, 45, 60):
            served[f"{site.path}a{age}.html"] = Response(200, HTML, b"<html><body>ok</body></html>")
        for extra in ("conac.html", "conac.png", "jiucuo.png", "zfwzzc/errorfix.html"):
            served[site.path + extra] = Response(200, HTML, b"<html><body>ok</body></html>")
    return served


def registry_rows(sites: list[DemoWebsite], base_url: str) -> list[tuple[str, ...]]:
    return [(s.region, s.org_name, s.org_code, "政府网站", s.site_code, s.name, base_url + s.path, "", "正常",
             s.opened_on.isoformat(), "") for s in sites]


def probe_history(sites: list[DemoWebsite], now: datetime, seed: int = 2026) -> list[dict]:
    """The week of hourly probes before `now` (the demo's past): the unreachable site fails one
    probe in eight; a new site has only its few days."""
    rng = random.Random(seed)
    rows = []
    for site in sites:
        hours = 3 * 24 if site.case == "new_site" else 7 * 24
        for hour in range(1, hours):
            failed = site.case == "unreachable" and hour % 8 == 0
            rows.append({"account": site.key, "run_id": "demo-history", "probed_at": now - timedelta(hours=hour),
                         "outcome": "timeout" if failed else "ok", "http_status": None if failed else 200,
                         "seconds": 15.0 if failed else round(rng.uniform(0.05, 0.6), 3),
                         "detail": "no answer within 15 s" if failed else None})
    return rows


__all__ = ["CASES", "PROVINCE", "DemoWebsite", "generate", "probe_history", "registry_rows", "routes"]
