"""Evidence people can read (CONTRACT §6.2, §9): one sentence per rule code in zh and en, from
the evidence the real rules produce (the demo plants a case of every rule); a fallback that never
raises; and the sentences where people read them: the `check` table, the TUI detail screen and
the md named lists. The JSON keeps the structured evidence."""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli.main import app
from tracker.demo.flow import build
from tracker.judging.run import evaluate
from tracker.reports import markdown
from tracker.reports.builder import build_report
from tracker.rules.catalogue import rules
from tracker.rules.sentences import SENTENCES, fields_text, filing_text, sentence
from tracker.settings import load_settings

SETTINGS = load_settings()
CONFIG = tomllib.loads((Path(__file__).parents[2] / "config" / "default.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    site = build(90, SETTINGS, tmp_path_factory.mktemp("demo"), out=io.StringIO())
    site.server.stop()
    return site


@pytest.fixture(scope="module")
def findings(demo):
    return evaluate(demo.db, SETTINGS, demo.now)


def test_catalogue_has_a_sentence_for_every_rule_code() -> None:
    codes = {spec.code for spec in rules()} | set(CONFIG["rules"]) | {"unverified"}
    assert codes - set(SENTENCES) == set()


def test_every_rule_says_its_evidence_in_zh_and_en(findings) -> None:
    said = {}
    for finding in findings:
        for lang in ("zh", "en"):
            text = sentence(finding.rule, finding.evidence, lang)
            # the rule's own entry answered, not the key: value fallback
            assert text != fields_text(finding.evidence, lang == "zh"), (finding.rule, finding.evidence)
            assert "_" not in text.replace("wechat:gh_", "") or "://" in text, text  # no raw keys
            said.setdefault((finding.rule, lang), text)
    assert {rule for rule, _ in said} == {spec.code for spec in rules()}
    assert re.fullmatch(r"开设于\d{4}-\d\d-\d\d，至今\d+天无任何发布（宽限30天）", said["empty_shell", "zh"])
    assert re.fullmatch(r"最近一次发布在\d{4}-\d\d-\d\d，已超过14天未更新", said["no_update", "zh"])
    assert re.fullmatch(r"last post on \d{4}-\d\d-\d\d, no update for more than 14 days", said["no_update", "en"])
    assert "仍未注销" in said["stopped_not_deregistered", "zh"] and "HTTP 404" in said["app_unavailable", "zh"]


def test_ad_link_to_a_commercial_site() -> None:
    evidence = {"window": ["2026-07-02T23:59:59+08:00", "2026-09-30T23:59:59+08:00"], "posts": 1,
                "matches": [{"post_id": "9", "url": "https://weibo.com/1/9", "published_at": "2026-09-01T10:00:00+08:00",
                             "match": "item.taobao.com"}]}
    assert sentence("ad_link", evidence) == "2026-09-01发布的 https://weibo.com/1/9 链接商业网站 item.taobao.com"


UNVERIFIED = {"would_fire": "no_update", "span": ["2026-11-23T23:59:59+08:00", "2026-12-07T23:59:59+08:00"],
              "seen_from": None, "seen_to": None, "missing": "no_successful_fetch", "last_ok_at": None,
              "failing_since": None, "last_outcome": "blocked", "history_from": None}


def test_unverified_says_what_is_missing() -> None:
    assert sentence("unverified", UNVERIFIED) == "待核实：订阅源从未成功抓取（被拦截），无法判断是否更新（内容不更新）"
    failing = {**UNVERIFIED, "missing": "fetch_failing", "last_ok_at": "2026-11-19T02:00:00+08:00",
               "failing_since": "2026-11-20T02:00:00+08:00", "seen_to": "2026-11-20T14:00:00+08:00"}
    assert sentence("unverified", failing) == ("待核实：最近一次成功抓取在2026-11-19 02:00，订阅源自2026-11-20起抓取失败（被拦截），"
                                               "无法判断是否更新（内容不更新）")
    assert sentence("unverified", failing, "en") == ("to be verified: the feed has failed since 2026-11-20 (blocked), "
                                                     "last successful fetch on 2026-11-19 02:00; cannot tell whether it posted (no update)")
    short = {**UNVERIFIED, "would_fire": "dormant", "missing": "history_short", "last_outcome": None,
             "history_from": "2026-10-01T08:00:00+08:00", "seen_from": "2026-10-01T08:00:00+08:00",
             "span": ["2026-09-08T23:59:59+08:00", "2026-12-07T23:59:59+08:00"]}
    assert sentence("unverified", short) == "待核实：抓取到的记录只能追溯到2026-10-01，未覆盖2026-09-08至2026-12-07，无法判断是否更新（僵尸）"
    empty = {**short, "would_fire": "empty_shell", "span": [None, "2026-12-07T23:59:59+08:00"]}
    assert "未覆盖截至2026-12-07的全部时间" in sentence("unverified", empty)


@pytest.mark.parametrize("rule, evidence", [
    ("my_office_rule", {"checked_on": "2026-09-30", "count": 3, "urls": ["a", "b", "c", "d"], "ok": False}),
    ("no_update", {"window_days": "fourteen"}),
    ("empty_shell", {"opened_on": "not a date", "days_since_opened": 3, "grace_days": 30}),
    ("ad_link", {"matches": [{}], "posts": 1}),
    ("unverified", {**UNVERIFIED, "missing": "something new"}),
    ("late_filing", None),
    ("fake_engagement", ["odd"]),
    ("dormant", {}),
])
def test_unknown_or_garbled_evidence_falls_back_to_labelled_fields(rule: str, evidence) -> None:
    for lang in ("zh", "en"):
        text = sentence(rule, evidence, lang)
        assert isinstance(text, str) and text
    assert sentence("my_office_rule", {"checked_on": "2026-09-30T10:00:00+08:00", "count": 3,
                                       "urls": ["a", "b", "c", "d"], "ok": False}) == \
        "checked_on：2026-09-30 10:00；count：3；urls：a、b、c等4个；ok：否"
    assert sentence("no_update", {"window_days": "fourteen"}, "en") == "window_days: fourteen"
    assert len(sentence("x", {"text": "长" * 500}, limit=30)) == 30


def test_filing_content_as_labelled_fields() -> None:
    payload = {"region": "福建省/福州市", "org_name": "福州市人民政府办公厅", "platform": "weibo", "account_name": "福州发布",
               "opened_on": "2025-05-25", "feed_url": None}
    assert filing_text(payload) == "地区：福建省/福州市；主办单位：福州市人民政府办公厅；平台：微博；账号名称：福州发布；开设日期：2025-05-25"
    assert filing_text({"notice_from": "2026-07-15"}, "en") == "closure notice from: 2026-07-15"


def test_check_table_shows_sentences_and_json_keeps_fields(demo) -> None:
    db_url = f"sqlite:///{demo.directory / 'demo.db'}"
    runner = CliRunner()
    table = runner.invoke(app, ["--db", db_url, "check"])
    assert table.exit_code == 0, table.output
    assert re.search(r"开设于\d{4}-\d\d-\d\d，至今\d+天无任何发布（宽限30天）", table.stdout)
    assert "days_since_opened" not in table.stdout
    english = runner.invoke(app, ["--db", db_url, "--lang", "en", "check"])
    assert re.search(r"opened on \d{4}-\d\d-\d\d, not one post in the \d+ days since", english.stdout)
    data = json.loads(runner.invoke(app, ["--db", db_url, "check", "--format", "json"]).stdout)
    shell = next(f for f in data["findings"] if f["rule"] == "empty_shell")
    assert set(shell["evidence"]) == {"opened_on", "days_since_opened", "grace_days", "posts"}


def test_md_named_lists_show_sentences(demo) -> None:
    report = build_report(demo.db, SETTINGS, "2026Q4", demo.now, compare=False)
    text = markdown.render(report)
    failed = text[text.index("## 不合格政务新媒体名单"):text.index("## 存在问题的政务新媒体名单")]
    assert re.search(r"空壳：开设于\d{4}-\d\d-\d\d，至今\d+天无任何发布（宽限30天）", failed)
    problems = text[text.index("## 存在问题的政务新媒体名单"):text.index("## 按平台")]
    assert re.search(r"只转不发：\d{4}-\d\d-\d\d至\d{4}-\d\d-\d\d发布\d+条，其中转发\d+条", problems)
    assert "repost_share" not in text


async def test_tui_detail_shows_sentences_and_filing_fields(demo, findings) -> None:
    from tests.tui.test_tui_app import rows, settle, text
    from tui.app import TrackerApp
    from tui.screens.detail import AccountDetailScreen

    account = next(f.account for f in findings if f.rule == "empty_shell")
    tui = TrackerApp(demo.db, SETTINGS, lang="zh", at=demo.now)
    async with tui.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        tui.push_screen(AccountDetailScreen(account))
        await settle(pilot)
        shown = text(tui.screen.query_one("#findings"))
        assert re.search(r"开设于\d{4}-\d\d-\d\d，至今\d+天无任何发布（宽限30天）", shown), shown
        filings = rows(tui.screen.query_one("#filings"))
        assert any(row[4].startswith("地区：") and "主办单位：" in row[4] for row in filings), filings
        assert not any("org_name=" in cell for row in filings for cell in row)


def test_transfer_filing_names_what_it_was_before() -> None:
    payload = {"org_code": "X2", "org_name": "台江区政府", "previous": {"org_code": "X1", "org_name": "鼓楼区政府"}}
    assert filing_text(payload) == "统一社会信用代码：X2；主办单位：台江区政府；变更前：（统一社会信用代码：X1，主办单位：鼓楼区政府）"
