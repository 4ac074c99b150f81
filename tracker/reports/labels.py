"""Chinese labels shared by the document formats: table headers, platform and rule names."""

from __future__ import annotations

from tracker.domain import labels
from tracker.domain.labels import zh_names
from tracker.domain.times import quarter_bounds
from tracker.rules.catalogue import rules
from tracker.rules.sentences import sentence

PLATFORMS = zh_names(labels.PLATFORMS)
TABLE_HEADER = ("序号", "部门/地区", "运行政务新媒体总数(个)", "检查政务新媒体总数(个)", "不合格数(个)", "不合格率(%)")
FAILED_HEADER = ("序号", "地区", "主办单位", "账号名称", "平台", "问题")
PROBLEM_HEADER = FAILED_HEADER
UNVERIFIED_HEADER = ("序号", "账号", "主办单位", "账号名称", "地区", "缺少的依据")
# 附件1 政府网站检查情况表 (seed 004) and its lists
SITE_TABLE_HEADER = ("序号", "部门/地区", "运行政府网站总数(个)", "检查政府网站总数(个)", "不合格数(个)", "不合格率(%)")
SITE_FAILED_HEADER = ("序号", "地区", "主办单位", "网站名称", "网站标识码", "问题")
SITE_PROBLEM_HEADER = ("序号", "地区", "主办单位", "网站名称", "网站标识码", "扣分", "问题")
SITE_UNVERIFIED_HEADER = ("序号", "网站标识码", "主办单位", "网站名称", "地区", "缺少的依据")
OUTCOMES = zh_names(labels.POLL_OUTCOMES)  # poll outcomes as the 待核实 list names them


def rule_names() -> dict[str, str]:
    """Rule code → Chinese name, from the rule catalogue (a rule no longer installed keeps its code)."""
    return {spec.code: spec.name_zh for spec in rules()}


def rule_label(code: str, names: dict[str, str]) -> str:
    return names.get(code, code)


def platform_label(platform: str) -> str:
    return PLATFORMS.get(platform, platform)


def quarter_title(period: str) -> tuple[int, str]:
    first, _ = quarter_bounds(period)
    return first.year, "一二三四"[(first.month - 1) // 3]


def report_title(period: str, websites: bool = False) -> str:
    year, number = quarter_title(period)
    return f"关于{year}年第{number}季度{'政府网站和' if websites else ''}政务新媒体检查情况的通报"


def has_websites(report: dict) -> bool:
    """Whether the 通报 has its 政府网站 table (附件1): some website was running."""
    return bool(report.get("websites", {}).get("total", {}).get("running"))


def site_summary_sentence(report: dict) -> str:
    year, number = quarter_title(report["period"])
    total = report["websites"]["total"]
    if total["failed"] == 0 and total["checked"]:
        return f"{year}年第{number}季度共检查政府网站{total['checked']}个,全部合格。"
    return (f"{year}年第{number}季度共检查政府网站{total['checked']}个(运行总数{total['running']}个),"
            f"检查发现{total['failed']}个政府网站不合格,总体合格率{pass_rate(total):g}%。")


def _site_code(account: str) -> str:
    return account.split(":", 1)[-1]


def site_failed_rows(report: dict, names: dict[str, str]) -> list[tuple]:
    """不合格网站名单: 序号, 地区, 主办单位, 网站名称, 网站标识码, 问题."""
    return [(index, region, org, name, _site_code(key), problem)
            for index, region, org, name, key, problem in _failed(report, report["websites"]["failed_accounts"], names)]


def site_problem_rows(report: dict, names: dict[str, str]) -> list[tuple]:
    """存在问题的政府网站 (扣分指标): the points of every warning of the website, and the problems."""
    per_site: dict[str, list[dict]] = {}
    for problem in report["websites"]["problems"]:
        per_site.setdefault(problem["account"], []).append(problem)
    rows = []
    for index, key in enumerate(in_region_order(report, list(per_site)), 1):
        who = report["accounts"][key]
        points = round(sum(p.get("points") or 0 for p in per_site[key]), 2)
        rows.append((index, who["region"], who["org_name"], who["account_name"], _site_code(key), f"{points:g}",
                     problem_text(report, key, [p["rule"] for p in per_site[key]], names)))
    return rows


def site_unverified_rows(report: dict) -> list[tuple]:
    entries = {entry["account"]: entry for entry in report["websites"].get("unverified", ())}
    return [(index, _site_code(entry["account"]), entry["org_name"], entry["account_name"], entry["region"],
             sentence("unverified", entry["evidence"]).removeprefix("待核实："))
            for index, entry in enumerate((entries[key] for key in in_region_order(report, list(entries))), 1)]


def region_label(region: str, single_province: bool) -> str:
    """A row's name as the seeds print it: 福州市, and 省直单位 for a province's own units."""
    parts = region.split("/")
    if not single_province:
        return region if len(parts) > 1 else f"{region}(省直单位)"
    return parts[-1] if len(parts) > 1 else "省直单位"


def table_rows(report: dict) -> list[tuple]:
    """The attachment table (seed 004): numbered rows and a 合计 row (`report` or its `websites` block)."""
    single = len({row["region"].split("/")[0] for row in report["rows"]}) <= 1
    rows: list[tuple] = [(index, region_label(row["region"], single), row["running"], row["checked"], row["failed"],
             row["fail_rate"]) for index, row in enumerate(report["rows"], 1)]
    total = report["total"]
    rows.append(("合计", "", total["running"], total["checked"], total["failed"], total["fail_rate"]))
    return rows


def pass_rate(total: dict) -> float:
    checked = total["checked"]
    return round((checked - total["failed"]) / checked * 100, 2) if checked else 0


def summary_sentence(report: dict) -> str:
    """The seeds' wording: 共检查…个, 不合格…个, 总体合格率…%."""
    year, number = quarter_title(report["period"])
    total = report["total"]
    passed = pass_rate(total)
    if total["failed"] == 0 and total["checked"]:
        return f"{year}年第{number}季度共检查政务新媒体{total['checked']}个,全部合格。"
    return (f"{year}年第{number}季度共检查政务新媒体{total['checked']}个"
            f"(运行总数{total['running']}个),检查发现{total['failed']}个政务新媒体不合格,"
            f"总体合格率{passed:g}%。")


def in_region_order(report: dict, accounts: list[str]) -> list[str]:
    """The listed accounts by region in the official order (`region_order`), then by account."""
    rank = {region: index for index, region in enumerate(report.get("region_order", ()))}
    return sorted(accounts, key=lambda key: (rank.get(report["accounts"][key]["region"], len(rank)), key))


def problem_text(report: dict, account: str, rules: list[str], names: dict[str, str]) -> str:
    """The 问题 cell: each rule's name with its evidence as a sentence (名称：依据；…)."""
    evidence = report.get("evidence", {}).get(account, {})
    return "；".join(f"{rule_label(rule, names)}：{sentence(rule, evidence[rule])}" if rule in evidence
                    else rule_label(rule, names) for rule in rules)


def _failed(report: dict, failed: list[dict], names: dict[str, str]) -> list[tuple]:
    entries = {entry["account"]: entry for entry in failed}
    ordered = [entries[key] for key in in_region_order(report, list(entries))]
    return [(index, entry["region"], entry["org_name"], entry["account_name"], entry["account"],
             problem_text(report, entry["account"], entry["rules"], names))
            for index, entry in enumerate(ordered, 1)]


def failed_rows(report: dict, names: dict[str, str]) -> list[tuple]:
    """存在突出问题(不合格)的政务新媒体名单 (seed 001): 序号, 地区, 主办单位, 账号名称, 平台, 问题."""
    return [(index, region, org, name, platform_label(report["accounts"][key]["platform"]), problem)
            for index, region, org, name, key, problem in _failed(report, report["failed_accounts"], names)]


def problem_rows(report: dict, names: dict[str, str]) -> list[tuple]:
    """The list of other problems (warnings), one line per account."""
    per_account: dict[str, list[str]] = {}
    for problem in report["problems"]:
        per_account.setdefault(problem["account"], []).append(problem["rule"])
    rows = []
    for index, key in enumerate(in_region_order(report, list(per_account)), 1):
        rules = per_account[key]
        who = report["accounts"][key]
        rows.append((index, who["region"], who["org_name"], who["account_name"], platform_label(who["platform"]),
                     problem_text(report, key, rules, names)))
    return rows


def _date(iso: str | None) -> str:
    return iso[:10] if iso else "?"


def missing_label(evidence: dict) -> str:
    """What a 待核实 account lacks, in a few words (docs/contract.md §6.4)."""
    missing = evidence.get("missing")
    outcome = evidence.get("last_outcome")
    failing = f"（{OUTCOMES.get(outcome, outcome)}）" if outcome else ""
    if missing == "no_successful_fetch":
        return "订阅源从未抓取成功" + failing
    if missing == "fetch_failing":
        since = f"，自{_date(evidence['failing_since'])}起抓取失败{failing}" if evidence.get("failing_since") else ""
        return f"最近一次成功抓取在{_date(evidence.get('last_ok_at'))}{since}"
    return f"历史记录仅追溯至{_date(evidence.get('seen_from') or evidence.get('history_from'))}"


def unverified_rows(report: dict) -> list[tuple]:
    """待核实 list: 序号, 账号, 主办单位, 账号名称, 地区, 缺少的依据 — in region order."""
    entries = {entry["account"]: entry for entry in report.get("unverified", ())}
    return [(index, entry["account"], entry["org_name"], entry["account_name"], entry["region"],
             missing_label(entry["evidence"]))
            for index, entry in enumerate((entries[key] for key in in_region_order(report, list(entries))), 1)]


def comparison_sentence(report: dict) -> str | None:
    """The previous-quarter comparison (与…相比), or that there is no comparable data."""
    previous = report.get("previous")
    if not previous:
        return None
    then_year, then_number = quarter_title(previous["period"])
    head = f"与{then_year}年第{then_number}季度相比，"
    if not previous.get("comparable", True) or previous.get("change") is None:
        then, now = previous["total"]["checked"], report["total"]["checked"]
        then_unverified, now_unverified = previous.get("unverified", 0), len(report.get("unverified", ()))
        if not then:
            why = "该季度无检查数据"
        elif 2 * then_unverified > then:
            why = f"该季度检查的{then}个政务新媒体中{then_unverified}个待核实"
        elif not now:
            why = "本季度无检查数据"
        else:
            why = f"本季度检查的{now}个政务新媒体中{now_unverified}个待核实"
        return head + f"无可比数据（{why}）。"
    change = previous["change"]["fail_rate"]
    trend = "上升" if change > 0 else "下降" if change < 0 else "持平"
    return head + f"不合格率{trend}" + (f"{abs(change):.2f}个百分点。" if change else "。")
