"""`tracker demo --no-tui`: the report summary on stdout — the per-region table of the 通报, the
totals, findings per rule and a few 不合格 accounts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TextIO

from tracker.domain.textwidth import table_lines
from tracker.domain.times import quarter_of
from tracker.settings import Settings
from tracker.storage.db import Database

LABELS = {
    "zh": {"sites": "{period} 政府网站检查情况：运行 {running} 个，检查 {checked} 个，不合格 {failed} 个（{rate:.2f}%）；不合格网站：{names}",
           "title": "{period} 政务新媒体检查情况（截至 {at}）", "region": "地区", "running": "运行总数",
           "checked": "检查总数", "failed": "不合格数", "rate": "不合格率(%)", "total": "合计",
           "rules": "问题分布（规则: 账号数）", "failed_list": "不合格账号（前 {n} 个，共 {total} 个）"},
    "en": {"sites": "{period} government websites: {running} running, {checked} checked, {failed} failed ({rate:.2f}%); failed: {names}",
           "title": "{period} government new-media check (as of {at})", "region": "region", "running": "running",
           "checked": "checked", "failed": "failed", "rate": "fail rate (%)", "total": "total",
           "rules": "Findings per rule (rule: accounts)", "failed_list": "Failed accounts (first {n} of {total})"},
}
SHOWN_FAILED = 8


def print_summary(db: Database, settings: Settings, at: datetime, lang: str, out: TextIO) -> dict:
    """Print the summary and return the report it came from."""
    from tracker.reports.builder import build_report  # deferred: start-up time of every command

    label = LABELS["en" if lang == "en" else "zh"]
    report = build_report(db, settings, quarter_of(at), at, compare=False)
    sites = report["websites"]["total"]
    names = "、".join(e["account_name"] for e in report["websites"]["failed_accounts"]) or "—"
    out.write("\n" + label["sites"].format(period=report["period"], running=sites["running"], checked=sites["checked"],
                                          failed=sites["failed"], rate=sites["fail_rate"], names=names) + "\n")
    out.write("\n" + label["title"].format(period=report["period"], at=report["at"]) + "\n\n")
    header = [label["region"], label["running"], label["checked"], label["failed"], label["rate"]]
    rows = [[r["region"], r["running"], r["checked"], r["failed"], f"{r['fail_rate']:.2f}"] for r in report["rows"]]
    total = report["total"]
    rows.append([label["total"], total["running"], total["checked"], total["failed"], f"{total['fail_rate']:.2f}"])
    out.write("\n".join(table_lines(header, rows, rule=False)) + "\n\n")
    per_rule = Counter(rule for entry in report["failed_accounts"] for rule in entry["rules"])
    per_rule.update(problem["rule"] for problem in report["problems"])
    out.write(label["rules"] + "\n  " + ", ".join(f"{rule}: {count}" for rule, count in sorted(per_rule.items())) + "\n\n")
    failed = report["failed_accounts"]
    out.write(label["failed_list"].format(n=min(SHOWN_FAILED, len(failed)), total=len(failed)) + "\n")
    for entry in failed[:SHOWN_FAILED]:
        out.write(f"  {entry['account']}  {entry['account_name']}  {entry['region']}  {', '.join(entry['rules'])}\n")
    return report
