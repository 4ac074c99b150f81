"""The registry API on both backends: import, filings, time travel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.registry.registry_helpers import ORG_A, dump, import_rows, row
from tracker.domain.errors import FileProblems, TrackerError
from tracker.domain.times import parse_at
from tracker.registry.service import (
    file_event,
    history,
    import_registry,
    list_accounts,
    registry_as_of,
)

REGISTRY = DATA / "registry"


def _keys(db, at: str | None = None) -> dict[str, str]:
    with db.session() as session:
        return {r.key: r.status for r in registry_as_of(session, parse_at(at) if at else None)}


@pytest.mark.parametrize("name", ["fujian_en.csv", "fujian_zh_bom.csv", "fujian_gb18030.csv"])
def test_import_reads_every_encoding_and_header_language(db, name: str) -> None:
    result = import_registry(db, REGISTRY / name, by="tester")
    assert result.created == result.rows >= 5
    statuses = _keys(db)
    assert statuses["weibo:2803301701"] == "active"
    assert statuses["toutiao:5954781019"] == "suspended"
    assert statuses["bilibili:401742377"] == "deregistered"


def test_chinese_names_map_to_codes(db) -> None:
    import_registry(db, REGISTRY / "fujian_zh_bom.csv")
    with db.session() as session:
        records = {r.key: r for r in registry_as_of(session)}
    assert records["app:com.xm.gov"].platform == "app"
    assert records["douyin:MS4wLjABAAAAfz"].opened_on == date(2019, 1, 15)
    assert records["weibo:2803301701"].opened_on == date(2013, 3, 1)


def test_every_problem_reported_and_nothing_written(db) -> None:
    import_registry(db, REGISTRY / "fujian_en.csv")
    before = dump(db)
    with pytest.raises(FileProblems) as caught:
        import_registry(db, REGISTRY / "many_errors.csv")
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert problems == {
        (2, "org_code"), (3, "platform"), (3, "opened_on"), (3, "region"), (3, "feed_url"),
        (4, "org_name"), (4, "account_name"), (4, "status"), (5, "opened_on"), (5, "account_id"), (7, "account_id"),
    }
    assert dump(db) == before


def test_reimport_is_idempotent(db) -> None:
    import_registry(db, REGISTRY / "fujian_en.csv")
    before = dump(db)
    again = import_registry(db, REGISTRY / "fujian_en.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert dump(db) == before


def test_changed_row_needs_update_flag(db, tmp_path: Path) -> None:
    import_rows(db, tmp_path, [row("1")])
    with pytest.raises(FileProblems, match="use --update"):
        import_rows(db, tmp_path, [row("1", account_name="新名字")], name="changed.csv")


def test_update_turns_changes_into_filing_events(db, tmp_path: Path) -> None:
    import_rows(db, tmp_path, [row("1"), row("2"), row("3")])
    changed = [
        row("1", account_name="新名字"),
        row("2", org_code=ORG_A, org_name="福建省人民政府办公厅", region="福建省"),
        row("3", status="deregistered"),
    ]
    path = tmp_path / "changed.csv"
    from tests.registry.registry_helpers import write_registry

    result = import_registry(db, write_registry(path, changed), update=True, by="tester")
    assert result.updated == 3
    with db.session() as session:
        kinds = {key: [e.kind for e in history(session, key)] for key in ("weibo:1", "weibo:2", "weibo:3")}
        records = {r.key: r for r in registry_as_of(session)}
    assert kinds == {"weibo:1": ["open", "rename"], "weibo:2": ["open", "transfer"], "weibo:3": ["open", "close"]}
    assert records["weibo:1"].account_name == "新名字"
    assert records["weibo:2"].region == "福建省"
    assert records["weibo:3"].status == "deregistered"


def test_dry_run_writes_nothing(db) -> None:
    before = dump(db)
    result = import_registry(db, REGISTRY / "fujian_en.csv", dry_run=True)
    assert result.rows == 5 and result.dry_run
    assert dump(db) == before


def test_filings_and_time_travel(db, tmp_path: Path) -> None:
    import_rows(db, tmp_path, [row("1", opened_on="2025-01-01")])
    file_event(db, "rename", "weibo:1", effective_on=date(2025, 6, 1), account_name="改名后", approver="张三", doc_no="闽政办〔2025〕1号")
    file_event(db, "suspend", "weibo:1", effective_on=date(2025, 9, 1))
    file_event(db, "close", "weibo:1", effective_on=date(2025, 10, 1), notice_from=date(2025, 9, 15))
    with db.session() as session:
        assert [r.account_name for r in registry_as_of(session, parse_at("2025-05-31"))] == ["账号1"]
        assert [r.account_name for r in registry_as_of(session, parse_at("2025-06-01T00:00:00"))] == ["改名后"]
        events = history(session, "weibo:1")
    assert _keys(db, "2025-08-31") == {"weibo:1": "active"}
    assert _keys(db, "2025-09-01") == {"weibo:1": "suspended"}
    assert _keys(db, "2025-10-01") == {"weibo:1": "deregistered"}
    assert _keys(db, "2024-12-31") == {}
    assert [e.kind for e in events] == ["open", "rename", "suspend", "close"]
    assert events[1].approver == "张三" and events[1].doc_no == "闽政办〔2025〕1号"


@pytest.mark.parametrize(
    ("kind", "account", "kwargs", "message"),
    [
        ("rename", "weibo:404", {"account_name": "x"}, "not registered"),
        ("close", "weibo:404", {"notice_from": date(2025, 1, 1)}, "not registered"),
        ("rename", "weibo:1", {"account_name": "x", "effective_on": date(2024, 1, 1)}, "before the account opened"),
        ("open", "weibo:1", {"region": "福建省", "org_name": "x", "org_code": ORG_A, "account_name": "x"}, "already registered"),
        ("suspend", "weibo:1", {"effective_on": date(2025, 3, 1)}, "already suspended"),
        ("close", "weibo:1", {}, "--notice-from"),
        ("transfer", "weibo:1", {"org_code": "123", "org_name": "x"}, "18 characters"),
        ("transfer", "weibo:1", {"org_code": ORG_A, "org_name": "x", "region": "福建省//鼓楼区"}, "empty segment"),
        ("rename", "nosuch:1", {"account_name": "x"}, "unknown platform"),
    ],
)
def test_senseless_filings_are_refused_and_write_nothing(db, tmp_path: Path, kind, account, kwargs, message) -> None:
    import_rows(db, tmp_path, [row("1", opened_on="2025-01-01")])
    file_event(db, "suspend", "weibo:1", effective_on=date(2025, 2, 1))
    before = dump(db)
    with pytest.raises(TrackerError, match=message):
        file_event(db, kind, account, **kwargs)
    assert dump(db) == before


def test_filing_before_a_later_close_is_accepted_after_it_refused(db, tmp_path: Path) -> None:
    import_rows(db, tmp_path, [row("1", opened_on="2025-01-01")])
    file_event(db, "close", "weibo:1", effective_on=date(2025, 6, 1), notice_from=date(2025, 5, 1))
    file_event(db, "rename", "weibo:1", effective_on=date(2025, 3, 1), account_name="三月名")
    with pytest.raises(TrackerError, match="closed"):
        file_event(db, "rename", "weibo:1", effective_on=date(2025, 7, 1), account_name="七月名")
    with db.session() as session:
        assert [r.account_name for r in registry_as_of(session, parse_at("2025-04-01"))] == ["三月名"]


def test_open_by_filing_then_list_filters(db, tmp_path: Path) -> None:
    file_event(db, "open", "douyin:abc", region="福建省/厦门市/思明区", org_name="思明区政府办", org_code=ORG_A,
               account_name="思明发布", opened_on=date(2025, 1, 1))
    import_rows(db, tmp_path, [row("1")])
    with db.session() as session:
        assert [r.key for r in list_accounts(session, region="福建省/厦门市")] == ["douyin:abc"]
        assert [r.key for r in list_accounts(session, platform="weibo")] == ["weibo:1"]
        assert [r.key for r in list_accounts(session, region="福建省/厦门")] == []
        assert len(list_accounts(session, region="福建省")) == 2


def test_backdated_filing_that_breaks_a_later_one_names_both(db, tmp_path: Path) -> None:
    import_rows(db, tmp_path, [row("1", opened_on="2025-01-01")])
    file_event(db, "rename", "weibo:1", effective_on=date(2025, 10, 1), account_name="十月名")
    with pytest.raises(TrackerError, match=r"cannot close weibo:1 effective 2025-09-01: the rename filing #\d+ effective 2025-10-01"):
        file_event(db, "close", "weibo:1", effective_on=date(2025, 9, 1), notice_from=date(2025, 8, 1))
