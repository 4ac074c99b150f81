"""The 政府网站 rules (CONTRACT §10) on facts given by hand (GivenFacts): positive, negative and
boundary cases, `unverified` where the tool has not seen enough, and the evidence sentences."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from tracker.domain.times import parse_at, start_of_day
from tracker.rules.context import AccountAsOf, CheckContext
from tracker.rules.engine import findings_of
from tracker.rules.facts import GivenFacts, ProbeCounts
from tracker.rules.sentences import sentence
from tracker.settings import load_settings

AT = parse_at("2026-12-07T10:00:00+08:00")
SITE = "website:3501000001"
MARKS = dict.fromkeys(("conac", "site_code", "icp", "police", "sponsor", "contact"), "x")


def _state(platform: str = "website") -> AccountAsOf:
    return AccountAsOf("福建省/福州市", "福州市人民政府办公厅", "11350100003591111", platform, "福州市人民政府",
                       date(2020, 1, 1), "active", None)


def _poll(**overrides):
    values = dict(account=SITE, polled_at=AT - timedelta(hours=1), homepage_url="http://127.0.0.1:1/",
                  homepage_newest=date(2026, 12, 4), homepage_dates=4, columns=[], links_checked=10,
                  broken_links=[], marks=dict(MARKS), jiucuo="https://zfwzzc.www.gov.cn/x", page_tags=[],
                  ipv6_aaaa=True, ipv6_ok=True)
    values.update(overrides)
    return SimpleNamespace(**values)


def _probes(total: int = 168, failed: int = 0) -> ProbeCounts:
    return ProbeCounts(total, failed, failed, AT - timedelta(days=7), AT)


def _found(at: datetime = AT, platform: str = "website", **facts) -> dict[str, dict]:
    given = GivenFacts(**{"probes": {SITE: _probes()}, "sites": {SITE: _poll()}, **facts})
    ctx = CheckContext(facts=given, settings=load_settings(), at=at, states={SITE: _state(platform)},
                       checked={SITE: _state(platform)})
    return {f.rule: f.evidence for f in findings_of(ctx)}


def test_a_good_site_has_no_finding() -> None:
    assert _found() == {}


def test_site_unreachable_5_percent_fires_4_percent_does_not() -> None:
    fired = _found(probes={SITE: _probes(200, 10)})
    assert fired["site_unreachable"]["failure_share"] == 0.05 and fired["site_unreachable"]["probes"] == 200
    assert "site_unreachable" not in _found(probes={SITE: _probes(200, 8)})
    assert "失败率5.0%" in sentence("site_unreachable", fired["site_unreachable"])


def test_fewer_probes_than_min_probes_is_unverified_not_a_pass_or_a_veto() -> None:
    found = _found(probes={SITE: _probes(139, 139)})
    assert "site_unreachable" not in found and found["unverified"]["would_fire"] == "site_unreachable"
    assert "仅探测139次" in sentence("unverified", found["unverified"])
    assert "site_unreachable" in _found(probes={SITE: _probes(140, 7)})


def test_homepage_stale_boundary_14_days_minus_a_second() -> None:
    newest = date(2026, 11, 20)
    edge = start_of_day(newest) + timedelta(days=14)
    sites = {SITE: _poll(homepage_newest=newest, polled_at=edge - timedelta(hours=2))}
    assert "homepage_stale" not in _found(at=edge - timedelta(seconds=1), sites=sites)
    fired = _found(at=edge, sites=sites)["homepage_stale"]
    assert fired["newest_date"] == "2026-11-20"
    assert "最新日期为2026-11-20" in sentence("homepage_stale", fired)
    assert "homepage_stale" in _found(sites={SITE: _poll(homepage_newest=None, homepage_dates=0)})


def test_a_homepage_never_fetched_is_unverified_not_stale() -> None:
    found = _found(sites={})
    assert "homepage_stale" not in found and "columns_stale" not in found
    assert {h["would_fire"] for h in found["unverified"]["website"]} == {"homepage_stale", "columns_stale"}
    assert "首页从未成功抓取" in sentence("unverified", found["unverified"])


def _columns(stale: int, kind: str = "dynamic", newest: str = "2026-10-01") -> list[dict]:
    return [{"name": f"栏目{i}", "kind": kind, "url": f"http://127.0.0.1:1/c{i}/", "outcome": "ok",
             "newest": newest, "dates": 3} for i in range(stale)]


def test_columns_stale_five_fire_four_do_not_and_policy_columns_have_six_months() -> None:
    assert "columns_stale" in _found(sites={SITE: _poll(columns=_columns(5))})
    assert "columns_stale" not in _found(sites={SITE: _poll(columns=_columns(4))})
    assert "columns_stale" not in _found(sites={SITE: _poll(columns=_columns(5, "policy"))})  # 2 months < 183 days
    assert "columns_stale" in _found(sites={SITE: _poll(columns=_columns(5, "policy", "2026-05-01"))})
    empty = [dict(c, newest=None, dates=0) for c in _columns(5)]
    fired = _found(sites={SITE: _poll(columns=empty)})["columns_stale"]
    assert len(fired["empty"]) == 5 and "空白栏目5个" in sentence("columns_stale", fired)


def test_warnings_carry_their_points() -> None:
    broken = [{"url": f"http://127.0.0.1:9/{i}", "text": "x", "outcome": "network_error", "status": None} for i in range(7)]
    found = _found(sites={SITE: _poll(marks={**MARKS, "police": None, "contact": None}, broken_links=broken,
                                      jiucuo=None, ipv6_aaaa=False, ipv6_ok=False,
                                      page_tags=[{"url": "http://127.0.0.1:1/", "column": None, "missing": ["SiteName"]}])})
    assert found["site_identity"]["points"] == 1.0 and found["site_identity"]["missing"] == ["police", "contact"]
    assert found["broken_links"]["points"] == 1.0  # 7 × 0.2, at most 1
    assert found["jiucuo_entry"]["points"] == 1.0 and found["ipv6"]["points"] == 1.0
    assert found["page_tags"]["points"] == 0.1
    assert "缺少公安机关备案标识、联系方式，扣1分" in sentence("site_identity", found["site_identity"])
    assert "7个不可用" in sentence("broken_links", found["broken_links"])
    one = _found(sites={SITE: _poll(broken_links=broken[:1])})["broken_links"]
    assert one["points"] == 0.2
    assert "ipv6" in _found(sites={SITE: _poll(ipv6_aaaa=True, ipv6_ok=False)})


def test_accounts_are_not_judged_by_website_rules_nor_websites_by_the_update_family() -> None:
    as_weibo = _found(platform="weibo", sites={SITE: _poll(jiucuo=None)}, probes={})
    assert as_weibo.keys() == {"empty_shell"}  # an account's rules, none of the websites'

    assert not {"no_update", "empty_shell", "dormant"} & _found().keys()
