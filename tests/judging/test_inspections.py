from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import select

from tests.reports.province import Q3_FINDINGS, FakeRules, load_province
from tracker.domain.errors import TrackerError
from tracker.domain.models import AccountRecord
from tracker.judging.inspections import (
    default_at,
    draw_sample,
    inspection_history,
    parse_ratio,
    plan_inspection,
    run_inspection,
)
from tracker.judging.population import stratum_of
from tracker.settings import load_settings
from tracker.storage.tables import Inspection, InspectionFinding, InspectionSample

SETTINGS = load_settings()
REGIONS = ["福建省", "福建省/福州市", "福建省/福州市/鼓楼区", "福建省/厦门市", "福建省/厦门市/思明区/厦港街道",
           "浙江省", "浙江省/杭州市"]
PLATFORMS = ["weibo", "wechat", "douyin", "app"]


def _record(region: str, platform: str, account_id: str) -> AccountRecord:
    return AccountRecord(region=region, org_name="单位", org_code="X" * 18, platform=platform,
                         account_id=account_id, account_name=account_id, opened_on=date(2020, 1, 1))


registries = st.lists(
    st.builds(_record, st.sampled_from(REGIONS), st.sampled_from(PLATFORMS),
              st.text("abcdefgh0123456789", min_size=1, max_size=6)),
    min_size=1, max_size=60, unique_by=lambda r: r.key)
ratios = st.floats(min_value=0.01, max_value=1.0)


@given(registries, ratios, st.integers(0, 2**32), st.randoms())
@hsettings(max_examples=150, deadline=None)
def test_same_seed_same_registry_same_sample_in_any_order(records, ratio, seed, rnd) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert draw_sample(records, ratio, seed) == draw_sample(shuffled, ratio, seed)


@given(registries, ratios, st.integers(0, 2**32))
@hsettings(max_examples=150, deadline=None)
def test_every_stratum_sampled_at_the_ratio(records, ratio, seed) -> None:
    sample = draw_sample(records, ratio, seed)
    strata: dict[str, set[str]] = {}
    for record in records:
        strata.setdefault(stratum_of(record), set()).add(record.key)
    assert set(sample) == set(strata)  # no empty stratum, none missing
    for name, keys in sample.items():
        assert len(keys) >= 1 and set(keys) <= strata[name] and len(set(keys)) == len(keys)
        assert len(keys) >= ratio * len(strata[name]) - 1e-9
        assert len(keys) == min(len(strata[name]), max(1, math.ceil(round(ratio * len(strata[name]), 9))))
    assert sum(map(len, sample.values())) >= ratio * len(records) - 1e-9


@given(registries, st.integers(0, 2**32))
@hsettings(max_examples=80, deadline=None)
def test_other_strata_do_not_change_a_stratum(records, seed) -> None:
    extra = _record("福建省/三明市", "weibo", "newcomer")
    before, after = draw_sample(records, 0.3, seed), draw_sample([*records, extra], 0.3, seed)
    assert {k: v for k, v in after.items() if k != stratum_of(extra)} == before


def test_strata_are_second_level_region_and_platform() -> None:
    records = [_record("福建省/福州市/鼓楼区", "weibo", "a"), _record("福建省/福州市", "weibo", "b"),
               _record("福建省", "weibo", "c"), _record("福建省/福州市", "wechat", "d")]
    assert sorted(draw_sample(records, 1.0, 1)) == ["福建省/福州市|wechat", "福建省/福州市|weibo", "福建省|weibo"]
    assert draw_sample(records, 1.0, 1)["福建省/福州市|weibo"] == ["weibo:a", "weibo:b"]


def test_different_seeds_draw_differently() -> None:
    records = [_record("福建省/福州市", "weibo", f"a{i}") for i in range(40)]
    draws = {tuple(draw_sample(records, 0.25, seed)["福建省/福州市|weibo"]) for seed in range(5)}
    assert len(draws) > 1


@pytest.mark.parametrize("text, value", [("0.3", 0.3), ("30%", 0.3), ("1", 1.0), (0.5, 0.5)])
def test_parse_ratio(text, value) -> None:
    assert parse_ratio(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["0", "-0.1", "1.5", "150%", "abc", "nan"])
def test_parse_ratio_refuses(text) -> None:
    with pytest.raises(TrackerError, match="--ratio"):
        parse_ratio(text)


def test_default_at_is_quarter_end_or_now() -> None:
    assert default_at("2026Q3", datetime(2027, 1, 1, tzinfo=UTC)) == datetime(2026, 9, 30, 15, 59, 59, 999999, tzinfo=UTC)
    now = datetime(2026, 8, 1, tzinfo=UTC)
    assert default_at("2026Q3", now) == now


@pytest.fixture
def province(db, tmp_path):
    load_province(db, tmp_path)
    return db


def test_plan_is_stored_reproducible_and_replanning_keeps_history(province) -> None:
    first = plan_inspection(province, "2026q3", 0.5, seed=3)
    assert first.quarter == "2026Q3" and first.sample_size == 7  # 8 running, 7 strata, fz2/fz3 share one
    assert "douyin:xm3" not in str(first.strata) and "weibo:fz4" not in str(first.strata)
    again = plan_inspection(province, "2026Q3", 0.5, seed=3)
    assert again.strata == first.strata
    with province.session() as session:
        rows = session.exec(select(Inspection).order_by(Inspection.id)).all()
        assert [(row.current, row.seed, row.ratio) for row in rows] == [(False, 3, 0.5), (True, 3, 0.5)]
        stored = session.exec(select(InspectionSample).where(InspectionSample.inspection_id == again.inspection_id)).all()
    assert sorted(row.account for row in stored) == sorted(k for keys in first.strata.values() for k in keys)
    assert plan_inspection(province, "2026Q3", 1.0, seed=3).sample_size == 8


def test_plan_default_seed_and_refusals(province, db) -> None:
    assert plan_inspection(province, "2026Q3", 0.1).seed == 20263
    with pytest.raises(TrackerError, match="no running accounts"):
        plan_inspection(province, "2017Q1", 0.5)
    with pytest.raises(TrackerError, match="no inspection planned for 2026Q2"):
        run_inspection(province, SETTINGS, "2026Q2", evaluate=FakeRules({}))


def test_run_stores_findings_and_rerun_keeps_history(province) -> None:
    plan = plan_inspection(province, "2026Q3", 1.0, seed=1)
    rules = FakeRules(Q3_FINDINGS)
    result = run_inspection(province, SETTINGS, "2026Q3", evaluate=rules)
    assert rules.calls[0]["at"] == datetime(2026, 9, 30, 15, 59, 59, 999999, tzinfo=UTC)
    assert sorted(rules.calls[0]["accounts"]) == sorted(k for keys in plan.strata.values() for k in keys)
    assert result.checked == 8 and result.failed == {
        "douyin:fj3": ["empty_shell"], "wechat:fz2": ["no_update"], "weibo:xm1": ["ad_link", "no_update"]}
    assert result.cases_opened == 3
    at = datetime(2026, 9, 20, tzinfo=UTC)
    rerun = run_inspection(province, SETTINGS, "2026Q3", at, evaluate=FakeRules({"weibo:xm1": [("ad_link", "veto")]}))
    assert rerun.inspection_id != result.inspection_id and rerun.failed == {"weibo:xm1": ["ad_link"]}
    history = inspection_history(province, "2026Q3")
    assert [(h["inspection"], h["current"]) for h in history] == [(rerun.inspection_id, True), (result.inspection_id, False)]
    assert history[0]["at"] == "2026-09-20T08:00:00+08:00"
    with province.session() as session:
        kept = session.exec(select(InspectionFinding).where(InspectionFinding.inspection_id == result.inspection_id)).all()
        samples = session.exec(select(InspectionSample).where(InspectionSample.inspection_id == rerun.inspection_id)).all()
    assert len(kept) == 7  # 8 canned findings; xm3 is closed, not in the sample, its finding not stored
    assert len(samples) == 8


def test_sample_reproducible_whatever_the_import_order(db, tmp_path) -> None:
    from tests.reports.province import ACCOUNTS, HEADER, org_code
    from tracker.registry.service import import_registry

    lines = [f"{r},{o},{org_code(i)},{p},{a},{n},active,{d}\n" for i, (r, o, p, a, n, d) in enumerate(ACCOUNTS)]
    random.Random(5).shuffle(lines)
    (tmp_path / "shuffled.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    import_registry(db, tmp_path / "shuffled.csv")
    shuffled = plan_inspection(db, "2026Q4", 0.3, seed=11).strata
    ordered = draw_sample(
        [_record(r, p, a) for r, _, p, a, _, _ in ACCOUNTS], 0.3, 11)  # no close filed here: all 10 run
    assert shuffled == ordered
