"""The report as Markdown, for a quick read in a terminal or a ticket."""

from __future__ import annotations

from tracker.domain.text_out import markdown_text
from tracker.reports.labels import (
    FAILED_HEADER,
    PROBLEM_HEADER,
    SITE_FAILED_HEADER,
    SITE_PROBLEM_HEADER,
    SITE_TABLE_HEADER,
    SITE_UNVERIFIED_HEADER,
    TABLE_HEADER,
    UNVERIFIED_HEADER,
    comparison_sentence,
    failed_rows,
    has_websites,
    platform_label,
    problem_rows,
    report_title,
    rule_names,
    site_failed_rows,
    site_problem_rows,
    site_summary_sentence,
    site_unverified_rows,
    summary_sentence,
    table_rows,
    unverified_rows,
)


def _table(header: tuple, rows: list[tuple]) -> list[str]:
    """Every cell as literal text: no HTML, link, emphasis, line or cell break from a name."""
    cells = [[markdown_text(cell) for cell in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in cells]


def _breakdown(title: str, key: str, rows: list[dict]) -> list[str]:
    header = (title, "运行总数", "检查总数", "不合格数", "不合格率(%)")
    return _table(header, [(platform_label(r[key]) if key == "platform" else r[key], r["running"], r["checked"], r["failed"], r["fail_rate"]) for r in rows])


def render(report: dict) -> str:
    names = rule_names()
    sites = has_websites(report)
    lines = [f"# {report_title(report['period'], sites)}", "",
             f"检查时点:{report['at']}" + (f" 地区:{markdown_text(report['region'])}" if report.get("region") else ""), ""]
    if sites:
        lines += [site_summary_sentence(report), "", "## 附件1 政府网站检查情况表", ""]
        lines += _table(SITE_TABLE_HEADER, table_rows(report["websites"]))
        lines += ["", "## 不合格网站名单", ""]
        failed = site_failed_rows(report, names)
        lines += _table(SITE_FAILED_HEADER, failed) if failed else ["无。"]
        lines += ["", "## 存在问题的政府网站名单(扣分指标)", ""]
        problems = site_problem_rows(report, names)
        lines += _table(SITE_PROBLEM_HEADER, problems) if problems else ["无。"]
        unverified = site_unverified_rows(report)
        if unverified:
            lines += ["", "## 待核实政府网站名单", "", "监测依据不足，不计入不合格。", ""]
            lines += _table(SITE_UNVERIFIED_HEADER, unverified)
        lines += [""]
    lines += [summary_sentence(report), "", "## 附件2 政务新媒体检查情况表" if sites else "## 政务新媒体检查情况表", ""]
    lines += _table(TABLE_HEADER, table_rows(report))
    lines += ["", "## 不合格政务新媒体名单", ""]
    failed = failed_rows(report, names)
    lines += _table(FAILED_HEADER, failed) if failed else ["无。"]
    lines += ["", "## 存在问题的政务新媒体名单", ""]
    problems = problem_rows(report, names)
    lines += _table(PROBLEM_HEADER, problems) if problems else ["无。"]
    lines += ["", "## 待核实政务新媒体名单", "", "更新情况无法核实，不计入不合格。", ""]
    unverified = unverified_rows(report)
    lines += _table(UNVERIFIED_HEADER, unverified) if unverified else ["无。"]
    lines += ["", "## 按平台", "", *_breakdown("平台", "platform", report.get("by_platform", []))]
    lines += ["", "## 按层级", "", *_breakdown("层级", "level", report.get("by_level", []))]
    previous = report.get("previous")
    if previous and previous.get("change") is not None:
        change = previous["change"]
        lines += ["", f"## 与{previous['period']}相比", "",
                  f"检查总数变化 {change['checked']:+d} 个,不合格数变化 {change['failed']:+d} 个,"
                  f"不合格率变化 {change['fail_rate']:+.2f} 个百分点。"]
    elif previous:
        sentence = comparison_sentence(report)
        assert sentence is not None  # there is a previous quarter
        lines += ["", f"## 与{previous['period']}相比", "", sentence]
    return "\n".join(lines) + "\n"
