"""The rules over one check's context: `findings_of(ctx)` runs every enabled rule, the update
family keeping at most one finding per account. Pure: loading the context and storing what it
finds is `tracker.judging.run` (`evaluate`, `run_check`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tracker.domain.models import Finding
from tracker.rules.catalogue import check_rule_sections, rules
from tracker.rules.context import CheckContext
from tracker.rules.update import is_seen, span_start

SEVERITY_RANK = {"info": 0, "warning": 1, "veto": 2}


@dataclass
class CheckResult:
    at: datetime
    region: str | None
    findings: list[Finding]
    accounts_checked: int
    regions: dict[str, str] = field(default_factory=dict)        # account → region path
    account_names: dict[str, str] = field(default_factory=dict)  # account → filed name
    run_id: int | None = None

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def worst(self) -> str | None:
        return max((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__, default=None)


def findings_of(ctx: CheckContext) -> list[Finding]:
    """Every enabled rule over the context; the update family keeps one finding per account, and
    one whose span the tool has not seen becomes `unverified` (rule order: the update family is
    evaluated before `unverified`, which reports `ctx.unverified`)."""
    found: list[Finding] = []
    update_taken: set[str] = set()
    check_rule_sections(ctx.settings)
    for spec in rules():
        cfg = ctx.config(spec.code)
        if not cfg["enabled"]:
            continue
        for account, evidence in spec.func(ctx):
            if spec.family == "update":
                if account in update_taken:
                    continue
                update_taken.add(account)
                if not is_seen(ctx, spec.code, account):
                    ctx.unverified[account] = (spec.code, span_start(ctx, spec.code, account))
                    continue
            found.append(Finding(account, spec.code, cfg["severity"], evidence, spec.source))
    return sorted(found, key=lambda f: (f.account, f.rule))
