"""A stored `tracker check` opens the rectification case of every 不合格 account (CONTRACT §7);
a later check without the finding closes it; failing in two consecutive quarters is a repeat."""

from __future__ import annotations

import json
from pathlib import Path

from tests.registry.registry_helpers import row, write_registry


def _posts(path: Path, account: str, times: list[str]) -> Path:
    lines = [json.dumps({"account": account, "id": f"p{i}", "published_at": t, "title": "动态", "text": "工作动态"},
                        ensure_ascii=False) for i, t in enumerate(times)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_check_opens_then_a_later_check_closes_and_next_quarter_repeats(cli, tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "r.csv", [row("1", opened_on="2026-01-01"), row("2", opened_on="2026-01-01")])
    cli("registry", "import", str(registry))
    daily = [f"2026-09-{day:02d}T09:00:00+08:00" for day in range(1, 31)]
    daily += [f"2026-10-{day:02d}T09:00:00+08:00" for day in range(1, 16)]
    cli("ingest", str(_posts(tmp_path / "a.jsonl", "weibo:2", daily)))

    cli("check", "--at", "2026-08-31")  # weibo:1 and weibo:2 both silent in August
    cases = {c["account"]: c for c in json.loads(cli("cases", "--format", "json", "--at", "2026-09-01").stdout)}
    assert set(cases) == {"weibo:1", "weibo:2"}
    assert cases["weibo:1"]["quarter"] == "2026Q3" and cases["weibo:1"]["due_on"] == "2026-09-10"
    assert cases["weibo:1"]["status"] == "open" and not cases["weibo:1"]["repeat_offender"]

    cli("check", "--at", "2026-09-30")  # weibo:2 posted daily in September: rectified
    cases = {c["account"]: c for c in json.loads(cli("cases", "--format", "json", "--at", "2026-09-30").stdout)}
    assert cases["weibo:2"]["status"] == "closed"
    assert cases["weibo:1"]["status"] == "overdue"
    cli("check", "--at", "2026-09-30")  # the same check again changes nothing
    assert len(json.loads(cli("cases", "--format", "json", "--at", "2026-09-30").stdout)) == 2

    cli("check", "--at", "2026-10-15")
    q4 = [c for c in json.loads(cli("cases", "--format", "json", "--at", "2026-10-15").stdout) if c["quarter"] == "2026Q4"]
    assert [(c["account"], c["repeat_offender"]) for c in q4] == [("weibo:1", True)]
