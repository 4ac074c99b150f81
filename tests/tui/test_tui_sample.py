"""A fixed sample province for the UI tests (fixed times, so snapshots do not move), and the
tests of the read-side queries the UI is built on (`tracker.read.dashboard`, `tracker.read.accounts`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.domain.orgcode import make_org_code
from tracker.read import accounts as views
from tracker.read import dashboard as queries
from tracker.registry.service import import_registry
from tracker.storage.db import Database
from tracker.storage.tables import FeedState, FindingRow, JobRun, ObservationRow, PollOutcome, PostRow

AT = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)  # 2026-09-30 23:59:59 Asia/Shanghai
REGIONS = ("福建省", "福建省/福州市/鼓楼区", "福建省/厦门市/思明区", "福建省/厦门市")
PLATFORMS = ("weibo", "wechat", "douyin", "toutiao")
FINDINGS = (  # (account index, rule, severity, evidence)
    (0, "no_update", "veto", {"latest_post_at": "2026-09-01", "window_days": 14}),
    (1, "ad_link", "veto", {"post_id": "p1", "domain": "taobao.com"}),
    (2, "comments_disabled", "warning", {"source": "observation"}),
    (5, "no_update", "veto", {"latest_post_at": "2026-08-20", "window_days": 14}),
    (6, "subject_mismatch", "warning", {"verified": False}),
)


def account_key(index: int) -> str:
    return f"{PLATFORMS[index % 4]}:id{index:04d}"


def write_registry(path: Path, count: int) -> Path:
    lines = ["region,org_name,org_code,platform,account_id,account_name,status,opened_on"]
    for i in range(count):
        status = "deregistered" if i == count - 1 else "active"
        code = make_org_code(f"11350{i % 40:03d}00{i:07d}")
        lines.append(f"{REGIONS[i % 4]},测试单位{i:03d},{code},{PLATFORMS[i % 4]},id{i:04d},测试账号{i:03d},{status},2026-0{1 + i % 6}-01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_sample(db: Database, directory: Path, count: int = 24) -> None:
    """`count` accounts in four regions (the last one deregistered), posts, findings, polls."""
    import_registry(db, write_registry(directory / "registry.csv", count), by="tester")
    with db.write() as session:
        for index, rule, severity, evidence in FINDINGS:
            seen = AT - timedelta(days=index + 1)
            session.add(FindingRow(account=account_key(index), rule=rule, severity=severity, evidence=evidence,
                                   source="检查指标", first_seen_at=seen, last_seen_at=AT, active=True))
        for week in range(10):
            for n in range(week % 4):
                published = AT - timedelta(weeks=week, hours=n * 5 + 1)
                session.add(PostRow(account=account_key(3), post_id=f"w{week}n{n}", published_at=published,
                                    title=f"第{week}周第{n}条", text="正文", first_seen_at=AT, is_repost=n == 2))
        for i in range(count - 2):  # the last active account was never polled
            ok = i % 6 != 0
            session.add(FeedState(account=account_key(i), last_polled_at=AT - timedelta(hours=3),
                                  last_outcome="ok" if ok else "http_error", consecutive_failures=0 if ok else 2))
            session.add(PollOutcome(account=account_key(i), started_at=AT - timedelta(hours=3), seconds=0.2,
                                    outcome="ok" if ok else "http_error", http_status=200 if ok else 502, new_posts=i % 3))
        poll_at = AT - timedelta(hours=14)  # the 02:00 poll of the day
        session.add(JobRun(job="poll", occurrence=poll_at, started_at=poll_at, finished_at=poll_at + timedelta(seconds=12),
                           outcome="ok", counts={"accounts": count - 2}, host="tracker-1"))
        session.add(ObservationRow(account=account_key(2), kind="comments_disabled", observed_at=AT - timedelta(days=2),
                                   recorded_at=AT - timedelta(days=2), inspector="检查员甲", note="评论区关闭"))


def test_dashboard_counts_follow_the_report_definitions(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    board = queries.dashboard(db, AT)
    assert board.quarter == "2026Q3" and not board.sampled
    assert (board.total.running, board.total.checked, board.total.failed) == (23, 23, 3)
    rows = {row.region: row for row in board.rows}
    assert list(rows) == ["福建省", "福建省/福州市", "福建省/厦门市"]  # province level first, then by division code
    assert rows["福建省"].failed == 1 and rows["福建省/福州市"].failed == 2
    assert rows["福建省/厦门市"].running == 11  # 思明区 and the city itself; the closed account left
    assert rows["福建省/福州市"].fail_rate == round(100 * 2 / 6, 2)


def test_accounts_not_yet_opened_are_not_running(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    assert queries.dashboard(db, datetime(2026, 2, 15, tzinfo=UTC)).total.running == 8  # opened in January or February


def test_account_page_filters_search_and_pages(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    lines, total = views.account_page(db, views.AccountFilter(platform="weibo"))
    assert total == 6 and {line.platform for line in lines} == {"weibo"}
    lines, total = views.account_page(db, views.AccountFilter(region="福建省"))
    assert total == 6 and {line.region for line in lines} == {"福建省"}  # 本级 only, not the whole province
    _, total = views.account_page(db, views.AccountFilter(region="福建省/厦门市"))
    assert total == 12
    lines, total = views.account_page(db, views.AccountFilter(rule="no_update"))
    assert total == 2 and {line.account for line in lines} == {account_key(0), account_key(5)}
    lines, total = views.account_page(db, views.AccountFilter(search="账号007"))
    assert total == 1 and lines[0].account == account_key(7)
    _, total = views.account_page(db, views.AccountFilter(search="id0011"))
    assert total == 1
    page, total = views.account_page(db, offset=20, limit=10)
    assert total == 24 and len(page) == 4
    lines, _ = views.account_page(db, views.AccountFilter(search="测试账号001"))
    assert lines[0].rules == ("ad_link",)


def test_newest_findings_and_poll_health(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    newest = queries.findings(db, limit=2)
    assert [line.account for line in newest] == [account_key(0), account_key(1)]
    assert newest[0].account_name == "测试账号000" and newest[0].region == "福建省"
    health = queries.poll_health(db)
    assert health.outcomes == {"ok": 18, "http_error": 4}
    assert health.never_polled == 1 and health.failing == 4


def test_account_detail_collects_everything_about_one_account(db: Database, tmp_path: Path) -> None:
    build_sample(db, tmp_path)
    detail = views.account_detail(db, account_key(3), AT)
    assert detail is not None and detail.account.account_name == "测试账号003"
    assert [event.kind for event in detail.filings] == ["open"]
    assert sum(detail.weekly_posts) == sum(week % 4 for week in range(10))
    assert detail.weekly_posts[-1] == 0 and detail.weekly_posts[-2] == 1 and detail.weekly_posts[-4] == 3
    assert detail.posts[0].published_at >= detail.posts[-1].published_at
    assert detail.last_poll is not None and detail.last_poll.outcome == "ok"
    assert views.account_detail(db, "weibo:nobody", AT) is None
    observed = views.account_detail(db, account_key(2), AT)
    assert [o.kind for o in observed.observations] == ["comments_disabled"]
    assert [f.rule for f in observed.findings] == ["comments_disabled"]


def test_dashboard_counts_the_inspection_sample_once_there_is_one(db: Database, tmp_path: Path) -> None:
    from tracker.judging.inspections import plan_inspection, run_inspection
    from tracker.settings import load_settings

    build_sample(db, tmp_path)
    plan = plan_inspection(db, "2026Q3", 0.5, 7)
    board = queries.dashboard(db, AT)
    assert board.sampled and board.total.checked == plan.sample_size < board.total.running == 23
    result = run_inspection(db, load_settings(), "2026Q3", AT)
    board = queries.dashboard(db, AT)
    assert board.total.failed == len(result.failed)  # the inspection's findings, not today's
    assert sum(row.checked for row in board.rows) == plan.sample_size
