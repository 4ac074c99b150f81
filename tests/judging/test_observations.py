"""Observations (§6.3): dated, named records; unknown accounts and facts refused."""

from __future__ import annotations

import getpass

import pytest

from tests.rules.rules_helpers import T, before, registry, rules_of
from tracker.domain.errors import TrackerError
from tracker.judging.observations import KINDS, observations_of, record_observation


def test_kinds_are_the_contract_facts() -> None:
    assert set(KINDS) == {"comments_disabled", "comments_enabled", "app_unavailable", "app_available", "fake_engagement",
                          "updates_seen"}  # §6.3 lists updates_seen too


def test_record_and_list(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:1")
    saved = record_observation(db, "weibo:1", "comments_disabled", at=before(2), inspector=" 李四 ", note=" 评论区关闭 ")
    assert (saved.inspector, saved.note, saved.observed_at) == ("李四", "评论区关闭", before(2))
    record_observation(db, "weibo:1", "comments_enabled", at=before(1))
    listed = observations_of(db, "weibo:1")
    assert [o.kind for o in listed] == ["comments_disabled", "comments_enabled"]
    assert listed[1].inspector == getpass.getuser()
    assert "comments_disabled" not in rules_of(db, "weibo:1", T)
    assert "comments_disabled" in rules_of(db, "weibo:1", before(1.5))


def test_unknown_account_or_fact_is_refused(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:1")
    with pytest.raises(TrackerError, match="unknown account weibo:2"):
        record_observation(db, "weibo:2", "comments_disabled")
    with pytest.raises(TrackerError, match="unknown observation"):
        record_observation(db, "weibo:1", "comments_gone")
    with pytest.raises(TrackerError):
        record_observation(db, "nowhere", "comments_disabled")
    assert observations_of(db, "weibo:1") == []
