from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.reports.province import Q3_FINDINGS, FakeRules, load_province
from tracker.domain.errors import TrackerError
from tracker.judging.cases import list_cases, review_cases
from tracker.judging.inspections import plan_inspection, run_inspection
from tracker.settings import load_settings

SETTINGS = load_settings()
OCT_5 = datetime(2026, 10, 5, tzinfo=UTC)
Q4_END = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
OCT_11 = datetime(2026, 10, 11, tzinfo=UTC)  # 2026-10-11 08:00 in Shanghai: past the due date 10-10
Q4_FINDINGS = {
    "wechat:fz2": [("no_update", "veto")],             # still failing: a repeat offender
    "weibo:xm1": [("low_frequency", "warning")],        # its vetoes are gone: rectified
    "weibo:fz4": [("empty_shell", "veto")],             # new in Q4
}


@pytest.fixture
def q3(db, tmp_path):
    load_province(db, tmp_path)
    plan_inspection(db, "2026Q3", 1.0, seed=1)
    run_inspection(db, SETTINGS, "2026Q3", evaluate=FakeRules(Q3_FINDINGS))
    return db


def _by_account(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(row["quarter"], row["account"]): row for row in rows}


def test_inspection_opens_cases_due_after_due_days(q3) -> None:
    cases = _by_account(list_cases(q3, at=OCT_5))
    assert set(cases) == {("2026Q3", "douyin:fj3"), ("2026Q3", "wechat:fz2"), ("2026Q3", "weibo:xm1")}
    xm1 = cases[("2026Q3", "weibo:xm1")]
    assert xm1["rules"] == ["ad_link", "no_update"] and xm1["due_on"] == "2026-10-10"
    assert xm1["status"] == "open" and xm1["account_name"] == "厦门发布" and not xm1["repeat_offender"]
    assert xm1["opened_at"] == "2026-09-30T23:59:59+08:00"


def test_overdue_is_derived_at_read_time(q3) -> None:
    assert {row["status"] for row in list_cases(q3, at=datetime(2026, 10, 10, 15, tzinfo=UTC))} == {"open"}
    assert {row["status"] for row in list_cases(q3, at=OCT_11)} == {"overdue"}
    assert len(list_cases(q3, "overdue", at=OCT_11)) == 3
    assert len(list_cases(q3, "open", at=OCT_11)) == 3  # open = not closed, overdue included
    assert list_cases(q3, "overdue", at=OCT_5) == [] and list_cases(q3, "closed", at=OCT_5) == []


def test_life_cycle_across_two_quarters(q3) -> None:
    plan_inspection(q3, "2026Q4", 1.0, seed=1)
    result = run_inspection(q3, SETTINGS, "2026Q4", Q4_END, evaluate=FakeRules(Q4_FINDINGS))
    assert result.cases_closed == 2 and result.cases_opened == 2
    cases = _by_account(list_cases(q3, at=datetime(2027, 1, 2, tzinfo=UTC)))
    assert cases[("2026Q3", "douyin:fj3")]["status"] == "closed"
    assert cases[("2026Q3", "weibo:xm1")]["status"] == "closed"
    assert cases[("2026Q3", "weibo:xm1")]["closed_at"] == "2026-12-31T23:59:59+08:00"
    assert cases[("2026Q3", "wechat:fz2")]["status"] == "overdue"  # not rectified by the Q4 check
    assert cases[("2026Q4", "wechat:fz2")]["repeat_offender"] is True
    assert cases[("2026Q4", "weibo:fz4")]["repeat_offender"] is False
    assert cases[("2026Q4", "weibo:fz4")]["due_on"] == "2027-01-10"
    closed = list_cases(q3, "closed", at=datetime(2027, 1, 2, tzinfo=UTC))
    assert [row["account"] for row in closed] == ["douyin:fj3", "weibo:xm1"]
    assert [row["quarter"] for row in list_cases(q3)][:2] == ["2026Q4", "2026Q4"]  # newest quarter first


def test_review_closes_rectified_cases(q3) -> None:
    rules = FakeRules({"wechat:fz2": [("no_update", "veto")], "weibo:xm1": [("dormant", "veto")]})
    assert review_cases(q3, SETTINGS, OCT_5, evaluate=rules) == 2  # fj3 clean; xm1's own rules gone
    assert sorted(rules.calls[0]["accounts"]) == ["douyin:fj3", "wechat:fz2", "weibo:xm1"]
    status = {row["account"]: row["status"] for row in list_cases(q3, at=OCT_5)}
    assert status == {"douyin:fj3": "closed", "wechat:fz2": "open", "weibo:xm1": "closed"}
    # a review before the cases were opened confirms nothing
    assert review_cases(q3, SETTINGS, datetime(2026, 9, 1, tzinfo=UTC), evaluate=FakeRules({})) == 0


def test_rerun_of_a_quarter_updates_its_cases(q3) -> None:
    run_inspection(q3, SETTINGS, "2026Q3", evaluate=FakeRules({"weibo:xm1": [("ad_link", "veto")]}))
    cases = _by_account(list_cases(q3, at=OCT_5))
    assert cases[("2026Q3", "weibo:xm1")]["rules"] == ["ad_link"]
    assert cases[("2026Q3", "weibo:xm1")]["status"] == "open"
    assert cases[("2026Q3", "douyin:fj3")]["status"] == "closed"
    assert len(cases) == 3  # one case per account and quarter


def test_run_reviews_cases_of_accounts_outside_the_new_sample(q3) -> None:
    seed = next(s for s in range(100)
                if "wechat:fz2" not in str(plan_inspection(q3, "2026Q4", 0.5, seed=s).strata))
    rules = FakeRules({})
    run_inspection(q3, SETTINGS, "2026Q4", Q4_END, evaluate=rules)
    assert "wechat:fz2" in rules.calls[1]["accounts"] and seed >= 0
    assert {row["status"] for row in list_cases(q3, at=OCT_5) if row["quarter"] == "2026Q3"} == {"closed"}


def test_bad_status_refused(db) -> None:
    with pytest.raises(TrackerError, match="--status"):
        list_cases(db, "pending")


def _stored_check(db, at, region=None, seen=()) -> None:
    """What `tracker check` leaves behind: a check run and the findings it saw at `at`."""
    from tracker.storage.tables import CheckRun, FindingRow

    with db.write() as session:
        session.add(CheckRun(at=at, ran_at=at, region=region))
        for account, rule in seen:
            session.add(FindingRow(account=account, rule=rule, severity="veto", source="", first_seen_at=at,
                                   last_seen_at=at, active=True))


def test_a_later_stored_check_closes_rectified_cases(q3) -> None:
    _stored_check(q3, datetime(2026, 9, 1, tzinfo=UTC))  # before the cases opened: confirms nothing
    assert {row["status"] for row in list_cases(q3, at=OCT_5)} == {"open"}
    _stored_check(q3, OCT_5, region="福建省/厦门市")  # covers xm1 only
    status = {row["account"]: row["status"] for row in list_cases(q3, at=OCT_5)}
    assert status == {"douyin:fj3": "open", "wechat:fz2": "open", "weibo:xm1": "closed"}
    _stored_check(q3, datetime(2026, 10, 6, tzinfo=UTC), seen=[("wechat:fz2", "no_update")])
    rows = {row["account"]: row for row in list_cases(q3, at=OCT_11)}
    assert rows["douyin:fj3"]["status"] == "closed" and rows["douyin:fj3"]["closed_at"] == "2026-10-06T08:00:00+08:00"
    assert rows["wechat:fz2"]["status"] == "overdue"
    assert rows["weibo:xm1"]["closed_at"] == "2026-10-05T08:00:00+08:00"  # stays closed as first confirmed
