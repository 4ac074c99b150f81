"""The 通报 with both tables (CONTRACT §10): the report JSON's `websites` block, and md, xlsx and
docx putting 附件1 政府网站检查情况表 first, then 附件2 政务新媒体, with the 不合格网站名单; the demo's
websites (tracker.demo.websites) plant one case of each website rule."""

from __future__ import annotations

import io
import json

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from tracker.cli.main import app
from tracker.demo.flow import build
from tracker.settings import load_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    site = build(60, load_settings(), tmp_path_factory.mktemp("demo"), out=io.StringIO())
    site.server.stop()
    return site


def _report(demo, fmt: str, tmp_path) -> bytes:
    out = tmp_path / f"r.{fmt}"
    db = f"sqlite:///{demo.directory / 'demo.db'}"
    from tracker.domain.times import quarter_of

    result = CliRunner().invoke(app, ["--db", db, "report", "--quarter", quarter_of(demo.now), "--format", fmt,
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_json_has_the_websites_block_and_accounts_stay_apart(demo, tmp_path) -> None:
    report = json.loads(_report(demo, "json", tmp_path))
    sites = report["websites"]
    assert set(sites) >= {"rows", "total", "failed_accounts", "problems", "unverified"}
    assert sites["total"]["running"] == 9 and sites["total"]["checked"] == 9
    failed = {entry["account"]: entry["rules"] for entry in sites["failed_accounts"]}
    assert sorted(rule for rules in failed.values() for rule in rules) == ["columns_stale", "homepage_stale", "site_unreachable"]
    rules = {p["rule"] for p in sites["problems"]}
    assert rules == {"site_identity", "broken_links", "jiucuo_entry", "ipv6", "page_tags"}
    assert all(isinstance(p["points"], float) for p in sites["problems"])
    assert [u["evidence"]["would_fire"] for u in sites["unverified"]] == ["site_unreachable"]  # the new site
    assert not any(e["account"].startswith("website:") for e in report["failed_accounts"])
    assert report["total"]["running"] == 58  # two demo accounts are closed; no website among them


def test_md_xlsx_docx_put_the_websites_table_first(demo, tmp_path) -> None:
    md = _report(demo, "md", tmp_path).decode("utf-8")
    assert md.index("## 附件1 政府网站检查情况表") < md.index("## 不合格网站名单") < md.index("## 附件2 政务新媒体检查情况表")
    assert "站点无法访问：" in md and "扣0.6分" in md
    book = openpyxl.load_workbook(io.BytesIO(_report(demo, "xlsx", tmp_path)))
    assert book.sheetnames[:2] == ["附件1 政府网站", "不合格网站名单"] and "附件2" in book["检查情况表"]["A1"].value
    names = [row[3] for row in book["不合格网站名单"].iter_rows(min_row=3, values_only=True)]
    assert len(names) == 3 and all(name.endswith("门户网站") for name in names)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(_report(demo, "docx", tmp_path))).paragraphs)
    tail = text[text.index("\n附件1\n"):]  # the attachments, after the 附件说明
    assert tail.index("政府网站检查情况表") < tail.index("不合格网站名单") < tail.index("附件2") < tail.index("政务新媒体检查情况表")
    assert "关于" in text and "政府网站和政务新媒体检查情况的通报" in text


def test_inspect_plan_samples_websites_at_website_ratio_and_accounts_at_ratio(cli, tmp_path) -> None:
    from tests.registry.registry_helpers import row, write_registry

    rows = [row(f"35010000{i:02d}", platform="website", feed_url="http://127.0.0.1:9/") for i in range(10)]
    rows += [row(f"28033017{i:02d}") for i in range(10)]
    cli("registry", "import", str(write_registry(tmp_path / "r.csv", rows)))
    plan = json.loads(cli("inspect", "plan", "--quarter", "2026Q4", "--ratio", "10%", "--format", "json").stdout)
    sampled = {s["platform"]: s["sampled"] for s in plan["strata"]}
    assert sampled == {"website": 10, "weibo": 1}
    half = tmp_path / "half.toml"
    half.write_text("[inspection]\nwebsite_ratio = 0.5\n", encoding="utf-8")
    plan = json.loads(cli("--config", str(half), "inspect", "plan", "--quarter", "2026Q4", "--ratio", "10%",
                          "--format", "json").stdout)
    assert {s["platform"]: s["sampled"] for s in plan["strata"]} == {"website": 5, "weibo": 1}
