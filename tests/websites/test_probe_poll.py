"""`tracker probe` and the poll of 政府网站 (CONTRACT §10) against a loopback fleet."""

from __future__ import annotations

import json
import socket
import time

import pytest
from sqlalchemy import select

from tests.polling.feedserver import FeedServer, Route
from tests.websites.fleet import HTML, config, page, register, serve_trs
from tracker.storage.db import open_database
from tracker.storage.tables import WebsitePoll, WebsiteProbe


def _rows(db_url, table):
    db = open_database(db_url)
    try:
        with db.session() as session:
            return {r.account: r for r in session.execute(select(table)).scalars()}
    finally:
        db.dispose()


def test_probe_stores_ok_error_and_timeout_and_a_hang_costs_only_its_own_limit(cli, db_url, tmp_path) -> None:
    with FeedServer() as server:
        ok = server.add("/ok/", Route(body=b"<html>ok</html>", content_type=HTML))
        gone = server.add("/gone/", Route(body=b"gone", status=503, content_type=HTML))
        hang = server.add("/hang/", Route(kind="hang"))
        cli("registry", "import", str(register(tmp_path, {"3500000001": ok, "3500000002": gone, "3500000003": hang})))
        cfg = config(tmp_path, "[websites]\nprobe_timeout_seconds = 1.0\n")
        clock = time.perf_counter()
        out = json.loads(cli("--config", str(cfg), "probe", "--format", "json").stdout)
        elapsed = time.perf_counter() - clock
    assert {w["account"]: w["outcome"] for w in out["websites"]} == {
        "website:3500000001": "ok", "website:3500000002": "error", "website:3500000003": "timeout"}
    assert elapsed < 5  # the hanging site cost its own 1 s, the others waited for nothing
    stored = _rows(db_url, WebsiteProbe)
    assert stored["website:3500000002"].http_status == 503 and stored["website:3500000001"].seconds < 1


def test_probe_refuses_an_account_that_is_not_a_website(cli, tmp_path) -> None:
    from tests.registry.registry_helpers import row, write_registry

    cli("registry", "import", str(write_registry(tmp_path / "r.csv", [row("2803301701")])))
    out = cli("probe", "weibo:2803301701", code=2).output
    assert "not a website" in out and "Traceback" not in out


def test_poll_of_a_trs_site_reads_dates_columns_links_marks_tags(cli, db_url, tmp_path) -> None:
    with FeedServer() as server:
        home = serve_trs(server)
        cli("registry", "import", str(register(tmp_path, {"3501000001": home})))
        cli("poll", "--format", "json")
    site = _rows(db_url, WebsitePoll)["website:3501000001"]
    assert site.outcome == "ok" and site.homepage_newest.isoformat() == "2026-12-04"  # not the 置顶 item of 2020
    columns = {c["name"]: c for c in site.columns}
    assert set(columns) == {"工作动态", "通知公告", "政策文件", "政策解读"}  # 通知公告 linked twice counts once
    assert columns["工作动态"]["newest"] == "2026-11-30" and columns["通知公告"]["newest"] == "2026-11-02"  # JCMS datastore
    assert columns["政策解读"]["outcome"] == "http_error"
    assert sorted(b["url"] for b in site.broken_links) == sorted(["http://127.0.0.1:9/dead", home + "zwgk/broken/"])
    assert site.links_checked == 14  # every distinct http(s) link of the homepage, fragments aside
    assert all(site.marks[m] for m in ("conac", "site_code", "icp", "police", "sponsor", "contact"))
    assert "zfwzzc" in site.jiucuo
    assert site.ipv6_aaaa is False  # 127.0.0.1 has no AAAA


def test_poll_reads_a_hanweb_site_and_a_gb2312_page_without_charset(cli, db_url, tmp_path) -> None:
    gb = page("trs_home.html").decode("utf-8").replace("; charset=utf-8", "").encode("gb2312")
    with FeedServer() as server:
        hanweb = server.add("/hw/", Route(body=page("hanweb_home.html"), content_type=HTML))
        legacy = server.add("/gb/", Route(body=gb, content_type="text/html"))
        cli("registry", "import", str(register(tmp_path, {"3507000001": hanweb, "3501000009": legacy})))
        cli("poll")
    sites = _rows(db_url, WebsitePoll)
    hw = sites["website:3507000001"]
    assert hw.homepage_newest.month == 10 and hw.homepage_newest.day == 8  # [10-08], the current year
    assert hw.marks["police"] is None and hw.marks["conac"] and hw.jiucuo is None
    assert hw.page_tags[0]["missing"] == ["SiteName", "SiteDomain", "SiteIDCode"]
    assert sites["website:3501000009"].marks["sponsor"] == "主办单位"  # decoded as GB18030


@pytest.mark.parametrize("route, outcome", [
    (Route(kind="huge", size=50 * 1024 * 1024, content_type=HTML), "too_large"),
    (Route(kind="huge", size=50 * 1024 * 1024, content_length=False, content_type=HTML), "too_large"),
    (Route(kind="redirect_loop"), "network_error"),
    (Route(body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png"), "parse_error"),
])
def test_bad_homepages_are_that_sites_outcome(cli, db_url, tmp_path, route, outcome) -> None:
    with FeedServer() as server:
        bad = server.add("/bad/", route)
        good = serve_trs(server)
        cli("registry", "import", str(register(tmp_path, {"3500000001": bad, "3501000001": good})))
        cli("poll")
    sites = _rows(db_url, WebsitePoll)
    assert sites["website:3500000001"].outcome == outcome and sites["website:3501000001"].outcome == "ok"


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="::1 is unavailable on this machine")
def test_poll_sees_ipv6_on_a_site_served_over_v6(cli, db_url, tmp_path) -> None:
    with FeedServer(host="::1") as server:
        home = serve_trs(server)
        cli("registry", "import", str(register(tmp_path, {"3501000001": home})))
        cli("poll")
    site = _rows(db_url, WebsitePoll)["website:3501000001"]
    assert site.outcome == "ok" and site.ipv6_aaaa is True and site.ipv6_ok is True


def test_a_hanging_homepage_and_a_hanging_link_cost_only_their_own_limits(cli, db_url, tmp_path) -> None:
    with FeedServer() as server:
        hang = server.add("/hang/", Route(kind="hang"))
        slow_link = server.add("/slow-link", Route(kind="hang"))
        body = page("hanweb_home.html").replace(b"/col/col2/index.html", slow_link.encode())
        linked = server.add("/hw/", Route(body=body, content_type=HTML))
        cli("registry", "import", str(register(tmp_path, {"3500000001": hang, "3507000001": linked})))
        cfg = config(tmp_path, "[poll]\ntotal_timeout = 1.0\n[websites]\nlink_timeout_seconds = 1.0\n")
        clock = time.perf_counter()
        cli("--config", str(cfg), "poll")
        elapsed = time.perf_counter() - clock
    sites = _rows(db_url, WebsitePoll)
    assert sites["website:3500000001"].outcome == "timeout"
    hw = sites["website:3507000001"]
    assert hw.outcome == "ok" and {"url": slow_link, "text": "通知公告", "outcome": "timeout", "status": None} in hw.broken_links
    assert elapsed < 6
