"""The 通报 of a quarter as the contract's JSON dict; every format renders this dict.

Which findings a report uses: the stored findings of the quarter's current inspection when the
quarter has one that was run (`checked` = its sample, as far as still running at T); otherwise
the rules evaluated at T over every running account (`checked` = `running`).
`failed_accounts` are checked accounts with a veto finding; `problems` are their warning
findings (veto findings are in `failed_accounts`, info findings never count); `unverified` are
the checked accounts whose update family could not be judged (待核实, never 不合格).
T defaults to the end of the quarter, or now while the quarter is still running.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from tracker.domain.models import AccountRecord, Finding, Severity
from tracker.domain.regions import region_level, row_region
from tracker.domain.times import local_date, now_utc, previous_quarter, to_local_iso
from tracker.judging import evaluate as evaluation
from tracker.judging.inspections import current_inspection, default_at, findings_of, normalise_quarter, sample_of, veto_rules
from tracker.judging.population import running_accounts
from tracker.registry.store import region_order
from tracker.settings import Settings
from tracker.storage.db import Database

UNVERIFIED = "unverified"  # 待核实 (docs/contract.md §6.4)


def counts(running: int, checked: int, failed: int) -> dict:
    rate = round(failed / checked * 100, 2) if checked else 0.0  # a float always, as JSON readers expect
    return {"running": running, "checked": checked, "failed": failed, "fail_rate": rate}


def _grouped(key: Callable[[AccountRecord], str], running: list[AccountRecord], checked: set[str],
             failed: set[str], name: str) -> list[dict]:
    groups: dict[str, list[AccountRecord]] = defaultdict(list)
    for record in running:
        groups[key(record)].append(record)
    return [
        {name: group, **counts(len(members), sum(m.key in checked for m in members),
                               sum(m.key in failed for m in members))}
        for group, members in groups.items()
    ]


def _inputs(db: Database, settings: Settings, quarter: str, at: datetime, region: str | None,
            evaluate) -> tuple[list[AccountRecord], set[str], list[Finding], dict | None]:
    running = running_accounts(db, at, region)
    keys = {record.key for record in running}
    with db.session() as session:
        inspection = current_inspection(session, quarter)
        if inspection is not None and inspection.run_at is not None:
            assert inspection.id is not None and inspection.at is not None  # a stored inspection that has run
            checked = set(sample_of(session, inspection.id)) & keys
            findings = [f for f in findings_of(session, inspection.id) if f.account in checked]
            about = {"id": inspection.id, "ratio": inspection.ratio, "seed": inspection.seed,
                     "sample_size": inspection.sample_size, "at": to_local_iso(inspection.at)}
            return running, checked, findings, about
    findings = [f for f in (evaluate or evaluation.rules_evaluate())(db, settings, at, region=region) if f.account in keys]
    return running, keys, findings, None


def build_report(db: Database, settings: Settings, quarter: str, at: datetime | None = None,
                 region: str | None = None, *, evaluate=None, compare: bool = True) -> dict:
    quarter = normalise_quarter(quarter)
    at = at or default_at(quarter)
    everyone, checked_all, all_findings, inspection = _inputs(db, settings, quarter, at, region, evaluate)
    by_key = {record.key: record for record in everyone}
    with db.session() as session:
        order = region_order(session)
    # 政府网站 (附件1) and 政务新媒体 (附件2) are two tables: the top-level keys cover the accounts
    sites = [record for record in everyone if record.platform == "website"]
    running = [record for record in everyone if record.platform != "website"]
    site_keys = {record.key for record in sites}
    findings = [f for f in all_findings if f.account not in site_keys]
    checked = checked_all - site_keys
    block = _block(running, checked, findings, by_key, order)
    failed = {entry["account"] for entry in block["failed_accounts"]}
    listed = {f.account for f in all_findings if f.severity in (Severity.VETO, Severity.WARNING) or f.rule == UNVERIFIED}
    report = {
        "period": quarter,
        "at": to_local_iso(at),
        **block,
        "websites": _block(sites, checked_all & site_keys, [f for f in all_findings if f.account in site_keys],
                           by_key, order, points=True),
        "region": region,
        "accounts": _named(by_key, listed),
        "evidence": _evidence(all_findings),  # account → rule → evidence: the named lists' sentences
        "region_order": order.sorted({record.region for record in everyone}),  # the named lists' order
        "source": "inspection" if inspection else "evaluated",
        "inspection": inspection,
        "by_platform": sorted(_grouped(lambda r: r.platform, running, checked, failed, "platform"),
                              key=lambda row: row["platform"]),
        "by_level": sorted(_grouped(lambda r: region_level(r.region), running, checked, failed, "level"),
                           key=lambda row: "省级市级县级".index(row["level"])),
    }
    if compare:
        report["previous"] = _previous(db, settings, quarter, region, evaluate, report)
    report["document"] = document_meta(settings)
    return report


def _block(running: list[AccountRecord], checked: set[str], findings: list[Finding], by_key: dict[str, AccountRecord],
           order, *, points: bool = False) -> dict:
    """rows, total, failed_accounts, problems and unverified of one table of the 通报; with
    `points`, each problem carries the points it costs (政府网站 扣分指标)."""
    vetoes = veto_rules(findings)
    failed = set(vetoes)
    rows = sorted(_grouped(lambda r: row_region(r.region), running, checked, failed, "region"),
                  key=lambda row: order.key(row["region"]))
    problems = []
    for f in sorted(findings, key=lambda f: (f.account, f.rule)):
        if f.severity == Severity.WARNING:
            entry: dict[str, Any] = {"account": f.account, "rule": f.rule, "severity": f.severity}
            if points:
                entry["points"] = f.evidence.get("points") if isinstance(f.evidence, dict) else None
            problems.append(entry)
    return {
        "rows": rows,
        "total": counts(len(running), len(checked), len(failed)),
        "failed_accounts": [_failed_entry(by_key[key], rules) for key, rules in vetoes.items()],
        "problems": problems,
        "unverified": [_unverified_entry(by_key[f.account], f.evidence)
                       for f in sorted(findings, key=lambda f: f.account) if f.rule == UNVERIFIED],
    }


def document_meta(settings: Settings, **overrides: str | None) -> dict:
    """Who issues the 通报, its 文号, 主送机关 (`[report]`, command-line overrides) and 成文日期 (today)."""
    meta = {key: settings.section("report")[key] for key in ("issuer", "doc_no", "recipients")}
    meta.update({key: value for key, value in overrides.items() if value is not None})
    meta["date"] = local_date(now_utc()).isoformat()
    return meta


def _failed_entry(record: AccountRecord, rules: Iterable[str]) -> dict:
    return {"account": record.key, "org_name": record.org_name, "account_name": record.account_name,
            "region": record.region, "rules": list(rules)}


def _unverified_entry(record: AccountRecord, evidence: dict) -> dict:
    return {"account": record.key, "org_name": record.org_name, "account_name": record.account_name,
            "region": record.region, "evidence": evidence}


def _evidence(findings: Iterable[Finding]) -> dict[str, dict[str, dict]]:
    """The structured evidence of the listed (veto and warning) findings, by account and rule."""
    found: dict[str, dict[str, dict]] = {}
    for f in sorted(findings, key=lambda f: (f.account, f.rule)):
        if f.severity in (Severity.VETO, Severity.WARNING):
            found.setdefault(f.account, {})[f.rule] = f.evidence
    return found


def _named(by_key: dict[str, AccountRecord], keys: set[str]) -> dict[str, dict]:
    """Who the listed accounts are (for the named lists), keyed by account."""
    return {key: {"region": by_key[key].region, "org_name": by_key[key].org_name,
                  "account_name": by_key[key].account_name, "platform": by_key[key].platform}
            for key in sorted(keys)}


def comparable(report: dict) -> bool:
    """Whether a quarter's 不合格率 means something: it checked accounts and most of them were
    judged (at most half 待核实)."""
    checked = report["total"]["checked"]
    return checked > 0 and 2 * len(report.get("unverified", ())) <= checked


def _previous(db, settings, quarter: str, region, evaluate, report: dict) -> dict:
    """The previous quarter's totals (as of its end) and the change to this quarter; no change
    (`comparable` false) when either quarter checked nothing or was mostly 待核实."""
    earlier_quarter = previous_quarter(quarter)
    earlier = build_report(db, settings, earlier_quarter, None, region, evaluate=evaluate, compare=False)
    now_total, then_total = report["total"], earlier["total"]
    earlier_rows = {row["region"]: row for row in earlier["rows"]}
    both = comparable(report) and comparable(earlier)
    return {
        "period": earlier_quarter,
        "total": then_total,
        "unverified": len(earlier["unverified"]),
        "comparable": both,
        "change": {key: round(now_total[key] - then_total[key], 2) for key in now_total} if both else None,
        "rows": [{"region": row["region"],
                  "fail_rate_change": round(row["fail_rate"] - earlier_rows[row["region"]]["fail_rate"], 2)
                  if both and row["region"] in earlier_rows else None} for row in report["rows"]],
        "repeat_failed": sorted({entry["account"] for entry in report["failed_accounts"]}
                                & {entry["account"] for entry in earlier["failed_accounts"]}),
    }
