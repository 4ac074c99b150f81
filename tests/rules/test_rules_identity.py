"""Identity and filing rules: unfiled_rename, subject_mismatch, duplicate_account, late_filing."""

from __future__ import annotations

from datetime import date

from tests.registry.registry_helpers import ORG_A, ORG_B
from tests.rules.rules_helpers import T, add_profile, before, fired, registry, rules_of
from tracker.domain.times import parse_at
from tracker.judging.run import evaluate
from tracker.registry.service import file_event
from tracker.settings import load_settings


def test_unfiled_rename_latest_profile_name(db, tmp_path) -> None:
    registry(db, tmp_path, {"account_id": "r", "account_name": "福州发布"}, {"account_id": "same", "account_name": "福州發布"},
             {"account_id": "noprof", "account_name": "甲"}, {"account_id": "back", "account_name": "乙"})
    add_profile(db, "weibo:r", before(3), display_name="福州旅游")
    add_profile(db, "weibo:same", before(3), display_name="福州 发布")           # same name, traditional + space
    add_profile(db, "weibo:back", before(5), display_name="乙乙")
    add_profile(db, "weibo:back", before(1), display_name="乙")                   # renamed back: latest wins
    add_profile(db, "weibo:back", before(0.5), followers=10)                      # no name in this snapshot
    found = {a for a, rule in fired(db) if rule == "unfiled_rename"}
    assert found == {"weibo:r"}
    # as of before the profile was taken, nothing is known
    assert "unfiled_rename" not in rules_of(db, "weibo:r", before(4))


def test_filed_rename_clears_unfiled_rename(db, tmp_path) -> None:
    registry(db, tmp_path, {"account_id": "r", "account_name": "福州发布"})
    add_profile(db, "weibo:r", before(3), display_name="福州旅游")
    file_event(db, "rename", "weibo:r", effective_on=date(2026, 9, 29), account_name="福州旅游", by="t")
    assert "unfiled_rename" not in rules_of(db, "weibo:r")
    assert "unfiled_rename" in rules_of(db, "weibo:r", before(2))


def test_subject_mismatch(db, tmp_path) -> None:
    org = "福州市人民政府办公厅"
    registry(db, tmp_path, "weibo:ok", "weibo:unverified", "weibo:other", "weibo:noreason", "weibo:trad", "weibo:none")
    add_profile(db, "weibo:ok", before(1), verified=True, verified_reason=f"{org}官方微博")
    add_profile(db, "weibo:unverified", before(1), verified=False, verified_reason=None)
    add_profile(db, "weibo:other", before(1), verified=True, verified_reason="某某科技有限公司")
    add_profile(db, "weibo:noreason", before(1), verified=True)
    add_profile(db, "weibo:trad", before(1), verified=True, verified_reason="福州市人民政府辦公廳 官方")
    add_profile(db, "weibo:none", before(1), display_name="账号none")           # no verification data
    found = {a for a, rule in fired(db) if rule == "subject_mismatch"}
    assert found == {"weibo:unverified", "weibo:other", "weibo:noreason"}


def test_duplicate_account_one_unit_one_platform(db, tmp_path) -> None:
    registry(db, tmp_path,
             {"account_id": "a1", "org_code": ORG_A}, {"account_id": "a2", "org_code": ORG_A},
             {"account_id": "a3", "org_code": ORG_A, "platform": "douyin"},
             {"account_id": "b1", "org_code": ORG_B}, {"account_id": "b2", "org_code": ORG_B, "status": "deregistered"},
             {"account_id": "b3", "org_code": ORG_B, "opened_on": "2026-10-05"})
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "duplicate_account"}
    assert set(found) == {"weibo:a1", "weibo:a2"}
    assert found["weibo:a1"].evidence["accounts"] == ["weibo:a1", "weibo:a2"]
    # once b3 has opened, unit B has two running weibo accounts
    later = {a for a, rule in fired(db, parse_at("2026-10-10")) if rule == "duplicate_account"}
    assert {"weibo:b1", "weibo:b3"} <= later


def test_late_filing_counts_working_days_and_skips_initial_import(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:late", "weibo:imported")
    file_event(db, "rename", "weibo:late", effective_on=date(2026, 9, 1), account_name="新名", by="t")
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "late_filing"}
    assert set(found) == {"weibo:late"}   # the import of an existing account is no late filing
    filing = found["weibo:late"].evidence["filings"][0]
    assert filing["kind"] == "rename" and filing["effective_on"] == "2026-09-01" and filing["working_days"] > 5


def test_late_filing_boundary_and_holidays(db, tmp_path) -> None:
    from sqlalchemy import insert

    from tracker.storage.tables import FilingEventRow

    registry(db, tmp_path, "weibo:five", "weibo:six", "weibo:holiday", "weibo:future")
    rows = [  # recorded_at is set by the clock when filing; write rows directly to fix it
        ("weibo:five", date(2026, 9, 7), "2026-09-14T10:00:00"),     # Mon → next Mon: 5 working days
        ("weibo:six", date(2026, 9, 7), "2026-09-15T10:00:00"),      # 6 working days
        ("weibo:holiday", date(2025, 9, 30), "2025-10-10T09:00:00"),  # National Day: only Oct 9, 10 work
        ("weibo:future", date(2040, 1, 6), "2040-01-16T09:00:00"),    # outside the calendar: weekends only
    ]
    with db.write() as session:
        session.execute(insert(FilingEventRow), [
            {"account": a, "kind": "update", "effective_on": eff, "recorded_at": parse_at(rec), "by": "t",
             "payload": {"filing_no": "X"}} for a, eff, rec in rows])
    found = {f.account: f for f in evaluate(db, load_settings(), parse_at("2040-02-01")) if f.rule == "late_filing"}
    assert set(found) == {"weibo:six", "weibo:future"}
    assert found["weibo:six"].evidence["filings"][0]["working_days"] == 6
    assert "weekends only" in found["weibo:future"].evidence["filings"][0]["calendar"]
    assert "calendar" not in found["weibo:six"].evidence["filings"][0]
    # a filing effective after T is not seen yet
    assert "late_filing" not in rules_of(db, "weibo:future", T)
