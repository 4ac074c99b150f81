"""A small hand-computed province for the inspection, report and case tests.

Running at the end of 2026Q3 (8): 福建省 fj1 fj2 fj3; 福州市 fz1 fz2 fz3 (fz4 opens in Q4);
厦门市 xm1 xm2 (xm3 closed on 2026-08-01). Rules are injected (`FakeRules`), so these tests do
not depend on the rule implementations.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.domain.models import Finding
from tracker.domain.orgcode import make_org_code
from tracker.registry.service import file_event, import_registry

HEADER = "region,org_name,org_code,platform,account_id,account_name,status,opened_on\n"
ACCOUNTS = [
    ("福建省", "福建省人民政府办公厅", "weibo", "fj1", "福建发布", "2020-01-01"),
    ("福建省", "福建省人民政府办公厅", "wechat", "fj2", "福建省人民政府", "2020-01-01"),
    ("福建省", "福建省文化和旅游厅", "douyin", "fj3", "福建文旅", "2021-05-01"),
    ("福建省/福州市", "福州市人民政府办公厅", "weibo", "fz1", "福州发布", "2019-01-15"),
    ("福建省/福州市/鼓楼区", "鼓楼区人民政府办公室", "wechat", "fz2", "鼓楼发布", "2019-03-01"),
    ("福建省/福州市/台江区", "台江区人民政府办公室", "wechat", "fz3", "台江发布", "2019-03-01"),
    ("福建省/福州市", "福州市教育局", "weibo", "fz4", "福州教育", "2026-10-08"),
    ("福建省/厦门市", "厦门市人民政府办公厅", "weibo", "xm1", "厦门发布", "2018-06-01"),
    ("福建省/厦门市/思明区", "思明区人民政府办公室", "wechat", "xm2", "思明发布", "2018-06-01"),
    ("福建省/厦门市", "厦门市体育局", "douyin", "xm3", "厦门体育", "2018-06-01"),
]


def org_code(index: int) -> str:
    return make_org_code(f"1135{index:013d}")


def load_province(db, tmp_path: Path) -> None:
    lines = [HEADER] + [f"{region},{org},{org_code(i)},{platform},{aid},{name},active,{opened}\n"
                        for i, (region, org, platform, aid, name, opened) in enumerate(ACCOUNTS)]
    path = tmp_path / "province.csv"
    path.write_text("".join(lines), encoding="utf-8")
    import_registry(db, path)
    file_event(db, "close", "douyin:xm3", effective_on=date(2026, 8, 1), notice_from=date(2026, 7, 1))


class FakeRules:
    """`evaluate` with canned findings per account; records the calls it got."""

    def __init__(self, findings: dict[str, list[tuple[str, str]]]) -> None:
        self.findings = findings
        self.calls: list[dict] = []

    def __call__(self, db, settings, at, *, region=None, accounts=None) -> list[Finding]:
        self.calls.append({"at": at, "region": region, "accounts": None if accounts is None else list(accounts)})
        wanted = None if accounts is None else set(accounts)
        return [Finding(account, rule, severity, {"why": "test"}, "test")
                for account, items in sorted(self.findings.items()) if wanted is None or account in wanted
                for rule, severity in sorted(items)]


# The hand-computed case: vetoes on fj3, fz2, xm1 (and the closed xm3, which must not count).
Q3_FINDINGS = {
    "douyin:fj3": [("empty_shell", "veto")],
    "wechat:fz2": [("no_update", "veto"), ("low_frequency", "warning")],
    "weibo:xm1": [("ad_link", "veto"), ("no_update", "veto")],
    "weibo:fj1": [("comments_disabled", "warning")],
    "wechat:xm2": [("feed_unreachable", "info")],
    "douyin:xm3": [("dormant", "veto")],
}
