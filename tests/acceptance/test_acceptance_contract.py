"""Black-box acceptance review of /work/shared/CONTRACT.md.

Only the public interface is used: the `tracker` command line (CliRunner on tracker.cli.main.app),
registry CSV/XLSX files written here by hand, JSON Lines for `ingest`, user config files for
`--config`. Nothing inside `tracker` is imported except `make_org_code` (to write valid codes).
"""

from __future__ import annotations

import csv
import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tracker.cli.main import app
from tracker.domain.orgcode import make_org_code

runner = CliRunner()
SH = ZoneInfo("Asia/Shanghai")
T = "2026-09-30"  # bare date: 2026-09-30T23:59:59+08:00
T_END = datetime(2026, 9, 30, 23, 59, 59, tzinfo=SH)
COLUMNS = ["region", "org_name", "org_code", "platform", "account_id", "account_name", "feed_url",
           "profile_url", "status", "opened_on", "filing_no"]
ZH_COLUMNS = ["地区", "主办单位", "统一社会信用代码", "平台", "账号ID", "账号名称", "订阅地址",
              "主页数据地址", "状态", "开设日期", "备案编号"]
UPDATE_FAMILY = {"empty_shell", "dormant", "no_update", "low_frequency"}
VALID_ID = "350102199003071234"  # 18-digit resident ID with a correct check digit


def org(n: int) -> str:
    return make_org_code(f"1135{n:013d}")


def row(account_id: str, **fields: str) -> dict[str, str]:
    base = {"region": "福建省/福州市/鼓楼区", "org_name": f"单位{account_id}", "org_code": org(int(
        "".join(c for c in account_id if c.isdigit()) or "7")), "platform": "weibo",
        "account_id": account_id, "account_name": f"账号{account_id}", "feed_url": "",
        "profile_url": "", "status": "active", "opened_on": "2026-01-01", "filing_no": ""}
    base.update(fields)
    return base


def post(account: str, pid: str, when: datetime | str, **fields) -> dict:
    published = when if isinstance(when, str) else when.isoformat()
    base = {"account": account, "id": pid, "published_at": published, "title": f"标题{pid}",
            "text": "正常的政务信息发布", "url": f"https://weibo.com/{pid}", "is_repost": False,
            "is_pinned": False, "is_ad": False, "comments_enabled": None}
    base.update(fields)
    return base


class World:
    """One fresh database driven only through the command line."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url, self.tmp, self.n = url, tmp, 0

    def run(self, *args: str, config: str | None = None):
        head = ["--db", self.url]
        if config is not None:
            self.n += 1
            path = self.tmp / f"config{self.n}.toml"
            path.write_text(config, encoding="utf-8")
            head += ["--config", str(path)]
        return runner.invoke(app, [*head, *args])

    def ok(self, *args: str, config: str | None = None):
        result = self.run(*args, config=config)
        assert result.exit_code == 0, (args, result.output)
        return result

    def registry_file(self, rows: list[dict[str, str]], *, zh: bool = False, encoding: str = "utf-8",
                      name: str | None = None) -> Path:
        self.n += 1
        path = self.tmp / (name or f"registry{self.n}.csv")
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ZH_COLUMNS if zh else COLUMNS)
            for r in rows:
                writer.writerow([r.get(c, "") for c in COLUMNS])
        return path

    def registry(self, *rows: dict[str, str]) -> None:
        self.ok("registry", "import", str(self.registry_file(list(rows))))

    def ingest(self, *posts: dict, extra: tuple[str, ...] = ()):
        self.n += 1
        path = self.tmp / f"posts{self.n}.jsonl"
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
        return self.run("ingest", str(path), *extra)

    def posts(self, *posts: dict) -> None:
        result = self.ingest(*posts)
        assert result.exit_code == 0, result.output

    def check(self, at: str = T, config: str | None = None, *extra: str) -> dict:
        result = self.ok("check", "--at", at, "--format", "json", *extra, config=config)
        return json.loads(result.stdout)

    def rules(self, account: str, at: str = T, config: str | None = None) -> dict[str, str]:
        """rule → severity of one account's findings at `at`."""
        return {f["rule"]: f["severity"] for f in self.check(at, config)["findings"]
                if f["account"] == account}

    def export(self, at: str | None = None) -> dict[str, dict]:
        args = ["registry", "export", "--format", "json"] + (["--at", at] if at else [])
        data = json.loads(self.ok(*args).stdout)
        return {a["platform"] + ":" + a["account_id"]: a for a in data["accounts"]}

    def report(self, quarter: str = "2026Q3", at: str = T) -> dict:
        return json.loads(self.ok("report", "--quarter", quarter, "--at", at, "--format", "json").stdout)


@pytest.fixture
def w(sqlite_url: str, tmp_path: Path) -> World:
    return World(sqlite_url, tmp_path)


def daily(account: str, days: int, prefix: str = "d") -> list[dict]:
    """One post a day at noon for the `days` days up to T."""
    return [post(account, f"{prefix}{account}-{i}", T_END - timedelta(days=i, hours=12)) for i in range(days)]


# ---------------------------------------------------------------------------------------- §6.1


def test_check_json_shape_and_sort_order(w: World) -> None:
    w.registry(row("2"), row("1"), row("3", platform="douyin"))
    w.posts(post("weibo:1", "ad", T_END - timedelta(days=1), is_ad=True))
    data = w.check()
    assert list(data) == ["at", "findings"]
    assert data["at"] == "2026-09-30T23:59:59+08:00"
    keys = [(f["account"], f["rule"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert ("weibo:1", "ad_link") in keys and ("weibo:2", "empty_shell") in keys
    assert ("douyin:3", "empty_shell") in keys
    for finding in data["findings"]:
        assert list(finding) == ["account", "rule", "severity", "evidence", "source"]
        assert isinstance(finding["evidence"], dict) and finding["evidence"]
        assert isinstance(finding["source"], str) and finding["source"]


def test_no_update_window_is_half_open(w: World) -> None:
    w.registry(row("1"), row("2"))
    exactly = T_END - timedelta(days=14)
    w.posts(post("weibo:1", "a", exactly), post("weibo:2", "b", exactly + timedelta(seconds=1)))
    assert "no_update" in w.rules("weibo:1")
    assert "no_update" not in w.rules("weibo:2")


def test_bare_date_is_end_of_day_and_no_offset_is_shanghai(w: World) -> None:
    w.registry(row("1"))
    w.posts(post("weibo:1", "late", "2026-09-30T23:30:00+08:00"))
    assert "empty_shell" not in w.rules("weibo:1", "2026-09-30")
    data = w.check("2026-09-30T22:00:00")
    assert datetime.fromisoformat(data["at"]) == datetime(2026, 9, 30, 22, tzinfo=SH)
    assert "empty_shell" in {f["rule"] for f in data["findings"]}
    assert "empty_shell" in w.rules("weibo:1", "2026-09-30T15:29:00Z")  # 23:29 in Shanghai
    assert "empty_shell" not in w.rules("weibo:1", "2026-09-30T15:31:00Z")


def test_deregistered_and_not_yet_opened_are_not_checked(w: World) -> None:
    w.registry(row("1", status="deregistered"), row("2", opened_on="2026-10-15"), row("3"))
    w.posts(post("weibo:1", "ad1", T_END - timedelta(days=1), is_ad=True),
            post("weibo:2", "ad2", T_END - timedelta(days=1), is_ad=True))
    accounts = {f["account"] for f in w.check()["findings"]}
    assert "weibo:1" not in accounts and "weibo:2" not in accounts and "weibo:3" in accounts


def test_closed_by_filing_is_checked_before_and_not_after(w: World) -> None:
    w.registry(row("1"))
    w.ok("file", "close", "weibo:1", "--notice-from", "2026-08-01", "--effective", "2026-09-01")
    assert w.rules("weibo:1", "2026-09-30") == {}
    assert "empty_shell" in w.rules("weibo:1", "2026-08-31")


def test_suspended_exempt_from_update_family_only(w: World) -> None:
    w.registry(row("1", status="suspended"), row("2", status="停更"))
    w.posts(post("weibo:1", "ad", "2026-08-01T10:00:00+08:00", is_ad=True))
    one, two = w.rules("weibo:1"), w.rules("weibo:2")
    assert not UPDATE_FAMILY & set(one) and not UPDATE_FAMILY & set(two)
    assert one.get("ad_link") == "veto"


def test_suspend_filing_exempts_from_update_family(w: World) -> None:
    w.registry(row("1"))
    assert "empty_shell" in w.rules("weibo:1")
    w.ok("file", "suspend", "weibo:1", "--effective", "2026-09-20")
    assert not UPDATE_FAMILY & set(w.rules("weibo:1"))
    assert "empty_shell" in w.rules("weibo:1", "2026-09-19")  # the filing is not effective yet


# ---------------------------------------------------------------------------------------- §6.2 update family


def test_empty_shell_grace(w: World) -> None:
    w.registry(row("1", opened_on="2026-08-20"), row("2", opened_on="2026-09-05"))
    assert w.rules("weibo:1").get("empty_shell") == "veto"
    assert "empty_shell" not in w.rules("weibo:2")
    assert "empty_shell" in w.rules("weibo:2", config="[rules.empty_shell]\ngrace_days = 20\n")


def test_dormant_wins_over_no_update(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.posts(post("weibo:1", "old", T_END - timedelta(days=95)), post("weibo:2", "mid", T_END - timedelta(days=80)))
    one, two = w.rules("weibo:1"), w.rules("weibo:2")
    assert UPDATE_FAMILY & set(one) == {"dormant"} and one["dormant"] == "veto"
    assert UPDATE_FAMILY & set(two) == {"no_update"} and two["no_update"] == "veto"
    assert UPDATE_FAMILY & set(w.rules("weibo:2", config="[rules.dormant]\ndays = 60\n")) == {"dormant"}


def test_update_family_at_most_one(w: World) -> None:
    w.registry(*[row(str(i)) for i in range(1, 5)])
    w.posts(post("weibo:2", "x", T_END - timedelta(days=200)), post("weibo:3", "y", T_END - timedelta(days=20)),
            post("weibo:4", "z", T_END - timedelta(days=2)))
    expected = {"weibo:1": "empty_shell", "weibo:2": "dormant", "weibo:3": "no_update", "weibo:4": "low_frequency"}
    found: dict[str, set[str]] = {}
    for f in w.check()["findings"]:
        if f["rule"] in UPDATE_FAMILY:
            found.setdefault(f["account"], set()).add(f["rule"])
    assert found == {a: {r} for a, r in expected.items()}


def test_low_frequency_threshold(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.posts(*daily("weibo:1", 3), *daily("weibo:2", 2))
    assert not UPDATE_FAMILY & set(w.rules("weibo:1"))
    assert w.rules("weibo:2").get("low_frequency") == "warning"
    assert "low_frequency" in w.rules("weibo:1", config="[rules.low_frequency]\nmin_posts = 4\n")


def test_no_update_config_window_enabled_severity(w: World) -> None:
    w.registry(row("1"))
    w.posts(post("weibo:1", "a", T_END - timedelta(days=10)))
    assert "no_update" not in w.rules("weibo:1")
    assert w.rules("weibo:1", config="[rules.no_update]\nwindow_days = 7\n").get("no_update") == "veto"
    assert w.rules("weibo:1", at="2026-10-10").get("no_update") == "veto"  # the post is 20 days old then
    assert "no_update" not in w.rules("weibo:1", at="2026-10-10", config="[rules.no_update]\nenabled = false\n")
    warned = w.rules("weibo:1", at="2026-10-10", config='[rules.no_update]\nseverity = "warning"\n')
    assert warned.get("no_update") == "warning"


def test_posts_after_t_are_not_seen(w: World) -> None:
    w.registry(row("1"))
    w.posts(post("weibo:1", "future", "2026-10-01T00:00:00+08:00"))
    assert "empty_shell" in w.rules("weibo:1")


# ---------------------------------------------------------------------------------------- §6.2 other rules


def test_repost_only(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"))
    all_reposts = [post("weibo:1", f"r{i}", T_END - timedelta(days=i + 1), is_repost=True) for i in range(5)]
    four_of_five = [post("weibo:2", f"s{i}", T_END - timedelta(days=i + 1), is_repost=i < 4) for i in range(5)]
    too_few = [post("weibo:3", f"t{i}", T_END - timedelta(days=i + 1), is_repost=True) for i in range(4)]
    w.posts(*all_reposts, *four_of_five, *too_few)
    assert w.rules("weibo:1").get("repost_only") == "warning"
    assert "repost_only" not in w.rules("weibo:2")  # 0.8 is not above the limit
    assert "repost_only" not in w.rules("weibo:3")
    config = "[rules.repost_only]\nmax_repost_share = 0.7\nmin_posts = 4\n"
    assert "repost_only" in w.rules("weibo:2", config=config)
    assert "repost_only" in w.rules("weibo:3", config=config)


def test_stopped_not_deregistered_by_post(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.posts(post("weibo:1", "stop", "2026-09-01T10:00:00+08:00", text="本账号即日起停止更新，感谢关注"),
            post("weibo:2", "stop2", "2026-09-25T10:00:00+08:00", text="本账号即日起停止更新，感谢关注"))
    assert w.rules("weibo:1").get("stopped_not_deregistered") == "veto"
    assert "stopped_not_deregistered" not in w.rules("weibo:2")
    config = "[rules.stopped_not_deregistered]\ngrace_days = 3\n"
    assert "stopped_not_deregistered" in w.rules("weibo:2", config=config)


def test_stopped_not_deregistered_by_suspend_filing(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.ok("file", "suspend", "weibo:1", "--effective", "2026-09-01")
    w.ok("file", "suspend", "weibo:2", "--effective", "2026-09-25")
    assert w.rules("weibo:1").get("stopped_not_deregistered") == "veto"
    assert "stopped_not_deregistered" not in w.rules("weibo:2")


def test_comments_disabled_latest_signal_wins(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"))
    w.posts(post("weibo:1", "c1", T_END - timedelta(days=1), comments_enabled=False),
            post("weibo:2", "c2", T_END - timedelta(days=3), comments_enabled=False),
            post("weibo:2", "c3", T_END - timedelta(days=1), comments_enabled=True))
    assert w.rules("weibo:1").get("comments_disabled") == "warning"
    assert "comments_disabled" not in w.rules("weibo:2")
    w.ok("observe", "weibo:3", "comments_disabled", "--at", "2026-09-10", "--note", "评论区关闭")
    w.ok("observe", "weibo:3", "comments_enabled", "--at", "2026-09-20")
    assert "comments_disabled" in w.rules("weibo:3", at="2026-09-15")
    assert "comments_disabled" not in w.rules("weibo:3")
    w.ok("observe", "weibo:3", "comments_disabled", "--at", "2026-10-05")  # after T: not seen at T
    assert "comments_disabled" not in w.rules("weibo:3")
    assert "comments_disabled" in w.rules("weibo:3", at="2026-10-06")
    assert "comments_disabled" not in w.rules("weibo:1", config="[rules.comments_disabled]\nenabled = false\n")


def test_ad_link_by_flag_and_domain_window(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"), row("4"))
    w.posts(post("weibo:1", "ad", T_END - timedelta(days=10), is_ad=True),
            post("weibo:2", "old", T_END - timedelta(days=100), is_ad=True),
            post("weibo:3", "shop", T_END - timedelta(days=5), url="https://item.taobao.com/item.htm?id=1"),
            post("weibo:4", "fine", T_END - timedelta(days=5), url="https://www.nottaobao.com.example.org/a"))
    assert w.rules("weibo:1").get("ad_link") == "veto"
    assert "ad_link" not in w.rules("weibo:2")
    assert w.rules("weibo:3").get("ad_link") == "veto"
    assert "ad_link" not in w.rules("weibo:4")
    assert "ad_link" in w.rules("weibo:2", config="[rules.ad_link]\nwindow_days = 120\n")
    assert w.rules("weibo:1", config='[rules.ad_link]\nseverity = "warning"\n')["ad_link"] == "warning"


def test_privacy_leak(w: World) -> None:
    w.registry(*[row(str(i)) for i in range(1, 6)])
    recent = T_END - timedelta(days=3)
    w.posts(post("weibo:1", "id", recent, text=f"中标人身份证号{VALID_ID}，请知悉"),
            post("weibo:2", "mob", recent, text="联系人张三，电话13812345678"),
            post("weibo:3", "mask", recent, text="身份证号350102********1234，电话138****5678"),
            post("weibo:4", "bad", recent, text=f"编号{VALID_ID[:-1]}5"),
            post("weibo:5", "old", T_END - timedelta(days=100), text=f"身份证号{VALID_ID}"))
    assert w.rules("weibo:1").get("privacy_leak") == "veto"
    assert w.rules("weibo:2").get("privacy_leak") == "veto"
    assert "privacy_leak" not in w.rules("weibo:3")
    assert "privacy_leak" not in w.rules("weibo:4")
    assert "privacy_leak" not in w.rules("weibo:5")


def test_banned_expression_with_own_lexicon(w: World, tmp_path: Path) -> None:
    lexicon = tmp_path / "terms.txt"
    lexicon.write_text("严重错误说法\n", encoding="utf-8")
    config = f'[rules.banned_expression]\nlexicons = ["{lexicon}"]\n'
    w.registry(row("1"), row("2"), row("3"))
    w.posts(post("weibo:1", "t", T_END - timedelta(days=2), text="这是嚴重 錯\u200b誤說法的例子"),
            post("weibo:2", "ok", T_END - timedelta(days=2), text="一切正常"),
            post("weibo:3", "old", T_END - timedelta(days=100), text="严重错误说法"))
    assert w.rules("weibo:1", config=config).get("banned_expression") == "veto"
    assert "banned_expression" not in w.rules("weibo:2", config=config)
    assert "banned_expression" not in w.rules("weibo:3", config=config)


def test_duplicate_account(w: World) -> None:
    w.registry(row("1", org_code=org(500)), row("2", org_code=org(500)),
               row("3", org_code=org(600)), row("4", org_code=org(600), platform="douyin"),
               row("5", org_code=org(700)), row("6", org_code=org(700), status="deregistered"))
    flagged = {f["account"] for f in w.check()["findings"] if f["rule"] == "duplicate_account"}
    assert flagged & {"weibo:1", "weibo:2"}
    assert severity_of(w, "duplicate_account") == {"warning"}
    assert not flagged & {"weibo:3", "douyin:4", "weibo:5", "weibo:6"}


def severity_of(w: World, rule: str) -> set[str]:
    return {f["severity"] for f in w.check()["findings"] if f["rule"] == rule}


def test_late_filing(w: World) -> None:
    today = datetime.now(SH).date().isoformat()
    for account_id, effective in (("1", today), ("2", "2026-03-02")):
        w.ok("file", "open", f"weibo:{account_id}", "--region", "福建省/福州市", "--org-name", f"单位{account_id}",
             "--org-code", org(800 + int(account_id)), "--name", f"账号{account_id}", "--effective", effective)
    findings = w.check(datetime.now(SH).replace(tzinfo=None).isoformat(timespec="seconds"))["findings"]
    late = {f["account"]: f["severity"] for f in findings if f["rule"] == "late_filing"}
    assert late == {"weibo:2": "warning"}


def test_app_unavailable_by_observation(w: World) -> None:
    w.registry(row("1", platform="app"), row("2", platform="客户端"))
    w.ok("observe", "app:1", "app_unavailable", "--at", "2026-09-10")
    w.ok("observe", "app:2", "app_unavailable", "--at", "2026-09-10")
    w.ok("observe", "app:2", "app_available", "--at", "2026-09-20")
    assert w.rules("app:1").get("app_unavailable") == "veto"
    assert "app_unavailable" not in w.rules("app:2")
    assert "app_unavailable" in w.rules("app:2", at="2026-09-15")


def test_fake_engagement_by_observation(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.ok("observe", "weibo:1", "fake_engagement", "--at", "2026-09-10", "--note", "粉丝一夜增长十万")
    assert w.rules("weibo:1").get("fake_engagement") == "warning"
    assert "fake_engagement" not in w.rules("weibo:2")


# ---------------------------------------------------------------------------------------- exit codes


def test_fail_on_exit_codes(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.posts(*daily("weibo:1", 2))  # weibo:1 only a warning (low_frequency); weibo:2 veto (empty_shell)
    assert w.run("check", "--at", T, "--format", "json").exit_code == 0
    assert w.run("check", "--at", T, "--fail-on", "veto").exit_code == 1
    assert w.run("check", "--at", T, "--fail-on", "warning", "--region", "福建省").exit_code == 1
    quiet = w.run("check", "--at", T, "--fail-on", "veto", config="[rules.empty_shell]\nenabled = false\n"
                  "[rules.no_update]\nenabled = false\n[rules.dormant]\nenabled = false\n")
    assert quiet.exit_code == 0, quiet.output


def test_bad_input_exits_2(w: World) -> None:
    w.registry(row("1"))
    before = w.export()
    for args in (["check", "--at", "not-a-time"], ["observe", "weibo:1", "comments_maybe"],
                 ["observe", "weibo:404", "comments_disabled"], ["observe", "weibo", "comments_disabled"],
                 ["file", "rename", "weibo:404", "--name", "新名"],
                 ["registry", "import", str(w.tmp / "missing.csv")]):
        result = w.run(*args)
        assert result.exit_code == 2, (args, result.output)
    bad_config = w.run("check", "--at", T, config='[rules.no_update]\nwindow_days = "seven"\n')
    assert bad_config.exit_code == 2
    assert w.export() == before


# ---------------------------------------------------------------------------------------- §3 registry file


def test_chinese_headers_names_and_gb18030(w: World) -> None:
    rows = [row("1", platform="微博", status="正常"), row("gh_abc", platform="微信", status="停更"),
            row("3", platform="抖音", status="已注销"), row("4", platform="头条号"), row("5", platform="今日头条"),
            row("6", platform="快手"), row("7", platform="哔哩哔哩"), row("8", platform="B站"),
            row("9", platform="小红书"), row("10", platform="APP"), row("11", platform="客户端")]
    path = w.registry_file(rows, zh=True, encoding="gb18030")
    w.ok("registry", "import", str(path))
    got = {k: v["status"] for k, v in w.export().items()}
    assert got.pop("douyin:3", "deregistered") == "deregistered"  # listed or not: the contract does not say
    assert got == {"weibo:1": "active", "wechat:gh_abc": "suspended", "toutiao:4": "active", "toutiao:5": "active",
                   "kuaishou:6": "active", "bilibili:7": "active", "bilibili:8": "active", "xiaohongshu:9": "active",
                   "app:10": "active", "app:11": "active"}
    assert w.export()["weibo:1"]["org_name"] == "单位1" and w.export()["weibo:1"]["region"] == "福建省/福州市/鼓楼区"


def test_utf8_bom_and_default_status(w: World) -> None:
    r = row("1")
    r["status"] = ""
    path = w.registry_file([r], encoding="utf-8-sig")
    w.ok("registry", "import", str(path))
    account = w.export()["weibo:1"]
    assert account["status"] == "active" and account["region"] == "福建省/福州市/鼓楼区"
    assert account["org_code"] == r["org_code"] and account["opened_on"] == "2026-01-01"


def test_xlsx_import(w: World) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(ZH_COLUMNS)
    for r in (row("1"), row("2", platform="抖音", region="福建省")):
        sheet.append([r[c] or None for c in COLUMNS])
    path = w.tmp / "registry.xlsx"
    book.save(path)
    w.ok("registry", "import", str(path))
    assert set(w.export()) == {"weibo:1", "douyin:2"}


def test_import_all_or_nothing_every_problem_reported(w: World) -> None:
    bad_code = org(1)[:-1] + ("0" if org(1)[-1] != "0" else "1")
    rows = [row("1"), row("2", org_code=bad_code), row("3", platform="myspace"), row("4", org_name=""),
            row("5", opened_on="not a date"), row("6", feed_url="ftp://x.example/feed"), row("7", account_name="")]
    path = w.registry_file(rows, name="bad_rows.csv")
    result = w.run("registry", "import", str(path))
    assert result.exit_code == 2
    message = result.output
    assert "bad_rows.csv" in message
    for column, value in (("org_code", bad_code), ("platform", "myspace"), ("org_name", None),
                          ("opened_on", "not a date"), ("feed_url", "ftp://x.example/feed"), ("account_name", None)):
        assert column in message, column
        if value:
            assert value in message, value
    assert w.export() == {}


def test_duplicate_rows_are_an_error(w: World) -> None:
    path = w.registry_file([row("1"), row("2"), row("1", account_name="又一个")])
    result = w.run("registry", "import", str(path))
    assert result.exit_code == 2
    assert "weibo:1" in result.output and "account_id" in result.output
    assert w.export() == {}


def test_duplicate_reported_even_when_first_row_is_bad(w: World) -> None:
    path = w.registry_file([row("2", org_name=""), row("2")])
    result = w.run("registry", "import", str(path))
    assert result.exit_code == 2
    assert "org_name" in result.output  # row 2: the empty 主办单位 is reported …
    message = result.output.replace(str(path), "FILE").lower()  # the tmp path itself says "duplicate"
    assert "duplicate" in message or "重复" in message, result.output  # … and so is row 3


def test_dry_run_writes_nothing(w: World) -> None:
    result = w.run("registry", "import", "--dry-run", str(w.registry_file([row("1")])))
    assert result.exit_code == 0
    assert w.export() == {}


def test_update_turns_changes_into_filings(w: World) -> None:
    w.registry(row("1"), row("2"))
    changed = [row("1", account_name="新名字"), row("2", status="deregistered")]
    w.ok("registry", "import", "--update", str(w.registry_file(changed)))
    now = w.export()
    assert now["weibo:1"]["account_name"] == "新名字"
    assert now.get("weibo:2") is None or now["weibo:2"]["status"] == "deregistered"
    assert w.export("2026-09-30")["weibo:1"]["account_name"] == "账号1"
    kinds = [e["kind"] for e in json.loads(w.ok("registry", "history", "weibo:1", "--format", "json").stdout)["events"]]
    assert kinds[0] == "open" and kinds[-1] == "rename" and len(kinds) == 2


def test_export_csv_round_trips(w: World, tmp_path: Path) -> None:
    w.registry(row("1", feed_url="https://rsshub.example/weibo/user/1", filing_no="闽备001"),
               row("2", platform="wechat", region="福建省", status="suspended"))
    out = tmp_path / "export.csv"
    w.ok("registry", "export", "--format", "csv", "--at", T, "-o", str(out))
    other = World(f"sqlite:///{tmp_path / 'other.db'}", tmp_path)
    other.ok("registry", "import", str(out))
    strip = lambda d: {k: {f: v.get(f) for f in ("region", "org_name", "org_code", "account_name", "status",  # noqa: E731
                                                 "opened_on", "feed_url", "filing_no")} for k, v in d.items()}
    assert strip(other.export(T)) == strip(w.export(T))


# ---------------------------------------------------------------------------------------- §4 filings


def test_filings_history_and_registry_as_of(w: World) -> None:
    w.ok("file", "open", "weibo:1", "--region", "福建省/福州市/鼓楼区", "--org-name", "鼓楼区政府",
         "--org-code", org(11), "--name", "鼓楼发布", "--opened-on", "2026-01-05", "--effective", "2026-01-05",
         "--approver", "王五", "--doc", "榕政〔2026〕1号", "--by", "张三")
    w.ok("file", "rename", "weibo:1", "--name", "鼓楼微发布", "--effective", "2026-03-01")
    w.ok("file", "transfer", "weibo:1", "--org-code", org(12), "--org-name", "台江区政府",
         "--region", "福建省/福州市/台江区", "--effective", "2026-05-01")
    w.ok("file", "suspend", "weibo:1", "--effective", "2026-07-01")
    w.ok("file", "close", "weibo:1", "--notice-from", "2026-07-15", "--effective", "2026-08-15")
    history = json.loads(w.ok("registry", "history", "weibo:1", "--format", "json").stdout)
    assert [e["kind"] for e in history["events"]] == ["open", "rename", "transfer", "suspend", "close"]
    assert w.export("2026-02-01")["weibo:1"]["account_name"] == "鼓楼发布"
    assert w.export("2026-02-01")["weibo:1"]["status"] == "active"
    april = w.export("2026-04-01")["weibo:1"]
    assert april["account_name"] == "鼓楼微发布" and april["org_name"] == "鼓楼区政府"
    june = w.export("2026-06-01")["weibo:1"]
    assert june["org_name"] == "台江区政府" and june["org_code"] == org(12) and june["region"] == "福建省/福州市/台江区"
    assert w.export("2026-07-10")["weibo:1"]["status"] == "suspended"
    closed = w.export("2026-09-01").get("weibo:1")
    assert closed is None or closed["status"] == "deregistered"
    assert "weibo:1" not in w.export("2026-01-04")
    table = w.ok("registry", "history", "weibo:1").stdout
    assert table.index("鼓楼微发布") < table.index("台江区政府")


def test_senseless_filings_refused_database_unchanged(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.ok("file", "close", "weibo:2", "--notice-from", "2026-02-01", "--effective", "2026-03-01")
    history = lambda a: w.ok("registry", "history", a, "--format", "json").stdout  # noqa: E731
    before = (history("weibo:1"), history("weibo:2"))
    refused = [["file", "open", "weibo:1", "--region", "福建省", "--org-name", "x", "--org-code", org(99),
                "--name", "再开一次", "--effective", "2026-02-01"],
               ["file", "open", "weibo:9", "--region", "福建省", "--org-name", "x", "--org-code", "123",
                "--name", "坏代码"],
               ["file", "rename", "weibo:2", "--name", "注销后更名", "--effective", "2026-04-01"],
               ["file", "close", "weibo:2", "--notice-from", "2026-03-01", "--effective", "2026-04-01"],
               ["file", "transfer", "weibo:1", "--org-code", "91350000ABCDEFGHIJ", "--org-name", "某单位"],
               ["file", "rename", "weibo:1", "--name", "x", "--effective", "someday"]]
    for args in refused:
        result = w.run(*args)
        assert result.exit_code == 2, (args, result.output)
    assert (history("weibo:1"), history("weibo:2")) == before
    assert w.run("registry", "history", "weibo:9").exit_code == 2


# ---------------------------------------------------------------------------------------- §5.4 ingest


def test_ingest_idempotent(w: World) -> None:
    w.registry(row("1"))
    two = daily("weibo:1", 2)
    w.posts(*two)
    w.posts(*two)
    assert "low_frequency" in w.rules("weibo:1")  # still two posts, not four


def test_ingest_bad_lines_load_nothing_unless_skip_bad(w: World) -> None:
    w.registry(row("1"))
    good = post("weibo:1", "g", T_END - timedelta(days=1))
    path = w.tmp / "mixed.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(post("weibo:404", "u", T_END)) + "\n{broken\n",
                    encoding="utf-8")
    result = w.run("ingest", str(path))
    assert result.exit_code != 0
    message = result.output.replace(str(path), "FILE")
    assert re.search(r"\b2\b", message) and re.search(r"\b3\b", message) and "weibo:404" in message, message
    assert "empty_shell" in w.rules("weibo:1")
    w.run("ingest", str(path), "--skip-bad")
    assert "empty_shell" not in w.rules("weibo:1")


# ---------------------------------------------------------------------------------------- §7 reports, cases


def province(w: World) -> None:
    w.registry(row("1", region="福建省/福州市/鼓楼区"), row("2", region="福建省/福州市/台江区"),
               row("3", region="福建省/福州市"), row("4", region="福建省/厦门市/思明区"),
               row("5", region="福建省"), row("6", region="福建省", platform="wechat"),
               row("7", region="福建省/厦门市", status="deregistered"),
               row("8", region="福建省/厦门市", opened_on="2026-10-10"))
    for account in ("weibo:1", "weibo:2", "weibo:4", "weibo:5"):
        w.posts(*daily(account, 3))
    w.posts(post("weibo:1", "comm", T_END - timedelta(hours=1), comments_enabled=False))
    # weibo:3 and wechat:6 have no posts: empty_shell (veto)


def test_report_json_without_inspection(w: World) -> None:
    province(w)
    w.check()
    data = w.report()
    for key in ("period", "at", "rows", "total", "failed_accounts", "problems"):
        assert key in data
    assert data["period"] == "2026Q3" and data["at"] == "2026-09-30T23:59:59+08:00"
    rows = {r["region"]: r for r in data["rows"]}
    assert all(list(r) == ["region", "running", "checked", "failed", "fail_rate"] for r in data["rows"])
    assert rows == {
        "福建省/福州市": {"region": "福建省/福州市", "running": 3, "checked": 3, "failed": 1, "fail_rate": 33.33},
        "福建省/厦门市": {"region": "福建省/厦门市", "running": 1, "checked": 1, "failed": 0, "fail_rate": 0},
        "福建省": {"region": "福建省", "running": 2, "checked": 2, "failed": 1, "fail_rate": 50}}
    assert data["total"] == {"running": 6, "checked": 6, "failed": 2, "fail_rate": 33.33}
    failed = {f["account"]: f for f in data["failed_accounts"]}
    assert set(failed) == {"weibo:3", "wechat:6"}
    assert failed["wechat:6"] == {"account": "wechat:6", "org_name": "单位6", "account_name": "账号6",
                                  "region": "福建省", "rules": ["empty_shell"]}
    assert {"account": "weibo:1", "rule": "comments_disabled", "severity": "warning"} in data["problems"]
    assert all(set(p) == {"account", "rule", "severity"} for p in data["problems"])


def test_report_fail_rate_two_decimals(w: World) -> None:
    w.registry(*[row(str(i), region="福建省/泉州市") for i in range(1, 4)])
    w.posts(*daily("weibo:1", 3))
    w.check()
    data = w.report()
    assert data["rows"] == [{"region": "福建省/泉州市", "running": 3, "checked": 3, "failed": 2, "fail_rate": 66.67}]


def test_report_checked_is_sample_with_inspection_and_cases(w: World) -> None:
    w.registry(*[row(str(i), region="福建省/漳州市") for i in range(1, 5)], row("9", region="福建省/龙岩市"))
    w.ok("inspect", "plan", "--quarter", "2026Q3", "--ratio", "0.25", "--seed", "7")
    w.ok("inspect", "run", "--quarter", "2026Q3", "--at", T)
    rows = {r["region"]: r for r in w.report()["rows"]}
    assert rows["福建省/漳州市"]["running"] == 4 and rows["福建省/漳州市"]["checked"] == 1
    assert rows["福建省/漳州市"]["failed"] == 1 and rows["福建省/漳州市"]["fail_rate"] == 100
    assert rows["福建省/龙岩市"] == {"region": "福建省/龙岩市", "running": 1, "checked": 1, "failed": 1, "fail_rate": 100}
    failed = {f["account"] for f in w.report()["failed_accounts"]}
    assert "weibo:9" in failed and len(failed) == 2
    open_cases = w.ok("cases", "--status", "open").stdout + w.ok("cases", "--status", "overdue").stdout
    assert "weibo:9" in open_cases
    assert set(w.ok("cases").stdout.split()) >= {"weibo:9"}


def test_inspection_sample_is_reproducible(tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        world = World(f"sqlite:///{tmp_path / (name + '.db')}", tmp_path)
        world.registry(*[row(str(i), region="福建省/南平市") for i in range(1, 11)])
        world.ok("inspect", "plan", "--quarter", "2026Q3", "--ratio", "0.3", "--seed", "42")
        world.ok("inspect", "run", "--quarter", "2026Q3", "--at", T)
        report = world.report()  # every account is an empty shell: the failed ones are the sample
        outputs.append((report["rows"], sorted(f["account"] for f in report["failed_accounts"])))
    assert outputs[0] == outputs[1] and outputs[0][0][0]["checked"] == 3 and len(outputs[0][1]) == 3


def test_case_closed_by_later_check_without_finding(w: World) -> None:
    w.registry(row("1", region="福建省/三明市"), row("2", region="福建省/三明市"))
    w.ok("inspect", "plan", "--quarter", "2026Q3", "--ratio", "1", "--seed", "1")
    w.ok("inspect", "run", "--quarter", "2026Q3", "--at", T)
    assert "weibo:1" in w.ok("cases").stdout
    w.posts(*[post("weibo:1", f"fix{i}", datetime(2026, 10, 5, 9, i, tzinfo=SH)) for i in range(3)])
    w.check("2026-10-06")
    closed = w.ok("cases", "--status", "closed").stdout
    assert "weibo:1" in closed and "weibo:2" not in closed
    assert "weibo:2" in w.ok("cases", "--status", "overdue").stdout  # due 2026-10-10, now is later


# ---------------------------------------------------------------------------------------- PostgreSQL


def test_postgres_check_and_report(pg_schema_url: str, tmp_path: Path) -> None:
    w = World(pg_schema_url, tmp_path)
    province(w)
    exactly = T_END - timedelta(days=14)
    w.registry(row("20", region="福建省/莆田市"), row("21", region="福建省/莆田市"))
    w.posts(post("weibo:20", "a", exactly), post("weibo:21", "b", exactly + timedelta(seconds=1)))
    data = w.check()
    assert data["at"] == "2026-09-30T23:59:59+08:00"
    rules = {(f["account"], f["rule"]) for f in data["findings"]}
    assert ("weibo:20", "no_update") in rules and ("weibo:21", "no_update") not in rules
    assert ("wechat:6", "empty_shell") in rules and not any(a in {"weibo:7", "weibo:8"} for a, _ in rules)
    report = w.report()
    assert {r["region"]: r["fail_rate"] for r in report["rows"]}["福建省/莆田市"] == 50


def test_postgres_import_all_or_nothing(pg_schema_url: str, tmp_path: Path) -> None:
    w = World(pg_schema_url, tmp_path)
    w.registry(row("1"))
    result = w.run("registry", "import", "--update", str(w.registry_file([row("1", account_name="改"),
                                                                         row("2", platform="myspace")])))
    assert result.exit_code == 2
    assert w.export()["weibo:1"]["account_name"] == "账号1" and "weibo:2" not in w.export()


# ---------------------------------------------------------------------------------------- more edges


def test_errors_go_to_stderr(w: World) -> None:
    result = w.run("registry", "import", str(w.registry_file([row("1", platform="myspace")], name="e.csv")))
    assert result.exit_code == 2
    assert "e.csv" in result.stderr and "myspace" in result.stderr
    assert "myspace" not in result.stdout


def test_low_frequency_and_ad_windows_are_half_open(w: World) -> None:
    w.registry(*[row(str(i)) for i in range(1, 5)])
    edge7, edge90 = T_END - timedelta(days=7), T_END - timedelta(days=90)
    recent = [T_END - timedelta(days=1), T_END - timedelta(days=2)]
    w.posts(post("weibo:1", "a", edge7), *[post("weibo:1", f"a{i}", t) for i, t in enumerate(recent)],
            post("weibo:2", "b", edge7 + timedelta(seconds=1)), *[post("weibo:2", f"b{i}", t) for i, t in enumerate(recent)],
            post("weibo:3", "c", edge90, is_ad=True), post("weibo:4", "d", edge90 + timedelta(seconds=1), is_ad=True))
    assert "low_frequency" in w.rules("weibo:1")
    assert "low_frequency" not in w.rules("weibo:2")
    assert "ad_link" not in w.rules("weibo:3")
    assert "ad_link" in w.rules("weibo:4")


def test_ad_link_domains_match_subdomains_only(w: World) -> None:
    w.registry(*[row(str(i)) for i in range(1, 5)])
    recent = T_END - timedelta(days=1)
    w.posts(post("weibo:1", "a", recent, url="https://ITEM.JD.COM/1.html"),
            post("weibo:2", "b", recent, url="https://m.tb.cn/h.abc"),
            post("weibo:3", "c", recent, url="https://jd.com.example.org/x"),
            post("weibo:4", "d", recent, url="https://shop.example.com/zhengce/"))
    assert "ad_link" in w.rules("weibo:1") and "ad_link" in w.rules("weibo:2")
    assert "ad_link" not in w.rules("weibo:3") and "ad_link" not in w.rules("weibo:4")
    assert "ad_link" in w.rules("weibo:4", config='[rules.ad_link]\ndomains = ["example.com"]\n')


def test_privacy_leak_x_check_digit_and_partial_mask(w: World) -> None:
    w.registry(*[row(str(i)) for i in range(1, 4)])
    recent = T_END - timedelta(days=1)
    w.posts(post("weibo:1", "x", recent, text="身份证35010219900307008X"),
            post("weibo:2", "t", recent, title=f"公示：{VALID_ID}", text=""),
            post("weibo:3", "m", recent, text="身份证3501021990****1234"))
    assert "privacy_leak" in w.rules("weibo:1") and "privacy_leak" in w.rules("weibo:2")
    assert "privacy_leak" not in w.rules("weibo:3")


def test_stop_phrases(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"))
    old = "2026-09-01T10:00:00+08:00"
    w.posts(post("weibo:1", "a", old, text="本账号已迁移至“福州发布”，敬请关注"),
            post("weibo:2", "b", old, text="即日起本账号不再更新"),
            post("weibo:3", "c", old, text="今日天气晴好"))
    assert "stopped_not_deregistered" in w.rules("weibo:1")
    assert "stopped_not_deregistered" in w.rules("weibo:2")
    assert "stopped_not_deregistered" not in w.rules("weibo:3")


def test_comments_signals_from_posts_and_observations_combine(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"))
    w.ok("observe", "weibo:1", "comments_disabled", "--at", "2026-09-10")
    w.posts(post("weibo:1", "a", "2026-09-20T10:00:00+08:00", comments_enabled=True),
            post("weibo:2", "b", "2026-09-10T10:00:00+08:00", comments_enabled=False),
            post("weibo:3", "c", "2026-09-10T10:00:00+08:00", comments_enabled=False),
            post("weibo:3", "d", "2026-09-20T10:00:00+08:00", comments_enabled=None))
    w.ok("observe", "weibo:2", "comments_enabled", "--at", "2026-09-20")
    assert "comments_disabled" not in w.rules("weibo:1")
    assert "comments_disabled" not in w.rules("weibo:2")
    assert "comments_disabled" in w.rules("weibo:3")  # a post that says nothing is no signal


def test_observation_bare_date_is_end_of_day(w: World) -> None:
    w.registry(row("1"))
    w.ok("observe", "weibo:1", "comments_disabled", "--at", "2026-09-30")
    assert "comments_disabled" in w.rules("weibo:1", "2026-09-30")
    assert "comments_disabled" not in w.rules("weibo:1", "2026-09-30T12:00:00")


def test_check_region_is_a_subtree_of_segments(w: World) -> None:
    w.registry(row("1", region="福建省/福州市"), row("2", region="福建省/福州市/鼓楼区"),
               row("3", region="福建省/福州市郊"), row("4", region="福建省"))
    accounts = {f["account"] for f in w.check(T, None, "--region", "福建省/福州市")["findings"]}
    assert accounts == {"weibo:1", "weibo:2"}


def test_env_vars_tracker_db_and_tracker_config(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    path = World(url, tmp_path).registry_file([row("1")])
    assert runner.invoke(app, ["registry", "import", str(path)], env={"TRACKER_DB": url}).exit_code == 0
    config = tmp_path / "user.toml"
    config.write_text('[rules.empty_shell]\nseverity = "warning"\n', encoding="utf-8")
    result = runner.invoke(app, ["check", "--at", T, "--format", "json"],
                           env={"TRACKER_DB": url, "TRACKER_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert [(f["account"], f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]] == [
        ("weibo:1", "empty_shell", "warning")]


def test_fresh_database_needs_no_init(w: World) -> None:
    assert w.check() == {"at": "2026-09-30T23:59:59+08:00", "findings": []}


def test_more_registry_problems(w: World) -> None:
    no_code = w.tmp / "no_code.csv"
    no_code.write_text("region,org_name,platform,account_id,account_name,opened_on\n"
                       "福建省,单位,weibo,1,账号,2026-01-01\n", encoding="utf-8")
    assert w.run("registry", "import", str(no_code)).exit_code == 2
    for bad in (row("1", status="closed"), row("1", profile_url="javascript:alert(1)"), row("1", org_code="123"),
                {**row("1"), "account_id": ""}, row("1", opened_on="")):
        result = w.run("registry", "import", str(w.registry_file([bad])))
        assert result.exit_code == 2, (bad, result.output)
    assert w.export() == {}
    minimal = w.tmp / "minimal.csv"  # optional columns may be left out, columns in any order
    minimal.write_text(f"account_name,account_id,platform,opened_on,org_code,org_name,region\n"
                       f"账号1,1,weibo,2026-01-01,{org(1)},单位,福建省\n", encoding="utf-8")
    w.ok("registry", "import", str(minimal))
    assert w.export()["weibo:1"]["status"] == "active"


def test_update_files_transfer_suspend_close(w: World) -> None:
    w.registry(row("1"), row("2"), row("3"))
    changed = [row("1", org_code=org(900), org_name="新单位", region="福建省/厦门市"), row("2", status="停更"),
               row("3", status="已注销")]
    w.ok("registry", "import", "--update", str(w.registry_file(changed)))
    kinds = {a: [e["kind"] for e in json.loads(w.ok("registry", "history", a, "--format", "json").stdout)["events"]]
             for a in ("weibo:1", "weibo:2", "weibo:3")}
    assert kinds == {"weibo:1": ["open", "transfer"], "weibo:2": ["open", "suspend"], "weibo:3": ["open", "close"]}
    now = w.export()
    assert now["weibo:1"]["org_name"] == "新单位" and now["weibo:2"]["status"] == "suspended"


def test_registry_list_filters(w: World) -> None:
    w.registry(row("111", region="福建省/福州市"), row("222", region="福建省/厦门市", platform="douyin"),
               row("333", region="福建省/福州市", status="suspended"))
    by_platform = w.ok("registry", "list", "--platform", "douyin").stdout
    assert "222" in by_platform and "111" not in by_platform
    by_region = w.ok("registry", "list", "--region", "福建省/福州市").stdout
    assert "111" in by_region and "333" in by_region and "222" not in by_region
    by_status = w.ok("registry", "list", "--status", "suspended").stdout
    assert "333" in by_status and "111" not in by_status


def test_report_running_counts_at_t_and_severity_config(w: World) -> None:
    w.registry(row("1", region="福建省/宁德市"), row("2", region="福建省/宁德市", opened_on="2026-09-30"),
               row("3", region="福建省/宁德市", status="suspended"), row("4", region="福建省/宁德市"),
               row("5", region="福建省/宁德市", opened_on="2026-10-01"))
    w.ok("file", "close", "weibo:4", "--notice-from", "2026-10-01", "--effective", "2026-10-15")
    rows = w.report()["rows"]
    assert [(r["region"], r["running"], r["checked"]) for r in rows] == [("福建省/宁德市", 4, 4)]
    assert rows[0]["failed"] >= 2  # weibo:1 and weibo:4 are empty shells (veto)
    config = ('[rules.empty_shell]\nseverity = "warning"\n[rules.stopped_not_deregistered]\nenabled = false\n'
              '[rules.no_update]\nenabled = false\n')
    relaxed = json.loads(w.ok("report", "--quarter", "2026Q3", "--at", T, "--format", "json", config=config).stdout)
    assert relaxed["total"]["failed"] == 0 and relaxed["failed_accounts"] == []
    assert {p["rule"] for p in relaxed["problems"]} >= {"empty_shell"}


def test_sample_has_every_stratum_and_at_least_the_ratio(w: World) -> None:
    w.registry(*[row(str(i), region="福建省/南平市/建阳区") for i in range(1, 11)],
               row("20", region="福建省/南平市", platform="douyin"), row("21", region="福建省"),
               row("22", region="福建省/三明市"))
    w.ok("inspect", "plan", "--quarter", "2026Q3", "--ratio", "0.25", "--seed", "3")
    w.ok("inspect", "run", "--quarter", "2026Q3", "--at", T)
    rows = {r["region"]: (r["running"], r["checked"]) for r in w.report()["rows"]}
    assert rows["福建省"] == (1, 1) and rows["福建省/三明市"] == (1, 1)
    assert rows["福建省/南平市"][0] == 11 and 4 <= rows["福建省/南平市"][1] < 11  # ≥ 3 of 10 weibo + the douyin


def test_bad_quarter_and_ratio_exit_2(w: World) -> None:
    w.registry(row("1"))
    for args in (["report", "--quarter", "2026Q5", "--format", "json"], ["report", "--quarter", "Q3", "--format", "json"],
                 ["inspect", "plan", "--quarter", "2026Q3", "--ratio", "1.5"],
                 ["check", "--at", T, "--format", "xml"], ["check", "--at", "2026-13-01"]):
        assert w.run(*args).exit_code == 2, args


def test_report_xlsx_and_docx_files(w: World, tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    province(w)
    xlsx, docx = tmp_path / "r.xlsx", tmp_path / "r.docx"
    w.ok("report", "--quarter", "2026Q3", "--at", T, "--format", "xlsx", "-o", str(xlsx))
    w.ok("report", "--quarter", "2026Q3", "--at", T, "--format", "docx", "-o", str(docx))
    cells = [str(c.value) for sheet in load_workbook(xlsx) for r in sheet.iter_rows() for c in r if c.value is not None]
    assert any("不合格率" in c for c in cells) and any("福州市" in c for c in cells)
    markdown = w.ok("report", "--quarter", "2026Q3", "--at", T, "--format", "md").stdout
    assert "不合格率" in markdown and "福州市" in markdown
    document = Document(str(docx))
    assert document.tables and any("不合格率" in cell.text for t in document.tables for r in t.rows for cell in r.cells)


# ---------------------------------------------------------------------------------------- §5 poll


class _Bodies(BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, dict[str, bytes]]]:
    routes: dict[str, bytes] = {}
    handler = type("Handler", (_Bodies,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def weibo_time(when: datetime) -> str:
    return when.astimezone(SH).strftime("%a %b %d %H:%M:%S +0800 %Y")


def weibo_cards(*mblogs: dict) -> bytes:
    return json.dumps({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": m} for m in mblogs]}}).encode()


def weibo_user(name: str, verified: bool, reason: str = "") -> bytes:
    user = {"id": 1, "screen_name": name, "verified": verified, "verified_reason": reason,
            "followers_count": "1193.2万"}
    return json.dumps({"ok": 1, "data": {"userInfo": user}}, ensure_ascii=False).encode()


def test_poll_profiles_pinned_reposts_and_unreachable(w: World, loopback) -> None:
    base, routes = loopback
    now = datetime.now(SH)
    routes["/f1"] = weibo_cards({"id": "11", "created_at": weibo_time(now - timedelta(days=200)), "text": "置顶：欢迎关注",
                                 "title": {"text": "置顶"}},
                                {"id": "12", "created_at": weibo_time(now - timedelta(days=1)), "text": "今日要闻"})
    routes["/f2"] = weibo_cards({"id": "21", "created_at": "5分钟前", "text": "刚刚发布的通知"})
    routes["/f3"] = weibo_cards(*[{"id": f"3{i}", "created_at": weibo_time(now - timedelta(days=i + 1)),
                                   "text": "转发微博", "retweeted_status": {"id": f"9{i}", "text": "原文"}}
                                  for i in range(5)])
    routes["/p1"] = weibo_user("账号1", True, "单位1官方微博")
    routes["/p2"] = weibo_user("改过的名字", False)
    routes["/p3"] = weibo_user("账号3", True, "别的单位官方微博")
    w.registry(row("1", feed_url=f"{base}/f1", profile_url=f"{base}/p1"),
               row("2", feed_url=f"{base}/f2", profile_url=f"{base}/p2"),
               row("3", feed_url=f"{base}/f3", profile_url=f"{base}/p3"),
               row("4", feed_url=f"{base}/f1"),
               row("5", feed_url=f"{base}/missing"))
    w.posts(*[post("weibo:5", f"arch{i}", now - timedelta(days=i + 1)) for i in range(3)])
    w.ok("poll")
    for _ in range(2):
        w.run("poll", "weibo:5")
    at = (datetime.now(SH) + timedelta(seconds=2)).replace(tzinfo=None).isoformat(timespec="seconds")
    findings = {(f["account"], f["rule"]): f["severity"] for f in w.check(at)["findings"]}
    rules = {a: {r for (acc, r) in findings if acc == a} for a in ("weibo:1", "weibo:2", "weibo:3", "weibo:4")}
    assert not rules["weibo:1"] & {"dormant", "no_update", "empty_shell", "unfiled_rename", "subject_mismatch"}
    assert {"unfiled_rename", "subject_mismatch"} <= rules["weibo:2"]
    assert not rules["weibo:2"] & {"no_update", "empty_shell", "dormant"}  # 5分钟前 is a recent post
    assert "subject_mismatch" in rules["weibo:3"] and "unfiled_rename" not in rules["weibo:3"]
    assert "repost_only" in rules["weibo:3"]
    assert not rules["weibo:4"] & {"unfiled_rename", "subject_mismatch"}  # no profile data: not judged
    assert findings.get(("weibo:5", "feed_unreachable")) == "info"
    assert findings[("weibo:2", "unfiled_rename")] == "warning"
    assert {r for (a, r) in findings if a == "weibo:5"} == {"feed_unreachable"}
    report = json.loads(w.ok("report", "--quarter", "2026Q4", "--at", at, "--format", "json").stdout)
    assert "weibo:5" not in {f["account"] for f in report["failed_accounts"]}  # info never affects 合格


# ---------------------------------------------------------------------------------------- evidence, re-import, working days


def test_evidence_names_post_id_and_url(w: World, tmp_path: Path) -> None:
    lexicon = tmp_path / "terms.txt"
    lexicon.write_text("严重错误说法\n", encoding="utf-8")
    w.registry(row("1"), row("2"), row("3"))
    recent = T_END - timedelta(days=2)
    w.posts(post("weibo:1", "adpost", recent, url="https://item.taobao.com/item.htm?id=7"),
            post("weibo:2", "leakpost", recent, text=f"身份证{VALID_ID}", url="https://weibo.com/2/leakpost"),
            post("weibo:3", "wordpost", recent, text="出现严重错误说法", url="https://weibo.com/3/wordpost"))
    config = f'[rules.banned_expression]\nlexicons = ["{lexicon}"]\n'
    evidence = {(f["account"], f["rule"]): json.dumps(f["evidence"], ensure_ascii=False)
                for f in w.check(T, config)["findings"]}
    for key, pid, url in ((("weibo:1", "ad_link"), "adpost", "https://item.taobao.com/item.htm?id=7"),
                          (("weibo:2", "privacy_leak"), "leakpost", "https://weibo.com/2/leakpost"),
                          (("weibo:3", "banned_expression"), "wordpost", "https://weibo.com/3/wordpost")):
        assert pid in evidence[key] and url in evidence[key], (key, evidence[key])
    assert "严重错误说法" in evidence[("weibo:3", "banned_expression")]


def test_same_file_twice_changes_nothing(w: World) -> None:
    path = w.registry_file([row("1"), row("2")])
    w.ok("registry", "import", str(path))
    w.ok("registry", "import", str(path))
    w.ok("registry", "import", "--update", str(path))
    events = json.loads(w.ok("registry", "history", "weibo:1", "--format", "json").stdout)["events"]
    assert [e["kind"] for e in events] == ["open"]


def _workdays_between(start, end) -> int:
    import chinese_calendar

    days, count = start, 0
    while days < end:
        days += timedelta(days=1)
        count += chinese_calendar.is_workday(days)
    return count


def test_late_filing_counts_chinese_working_days(w: World) -> None:
    today = datetime.now(SH).date()
    on_time = today - timedelta(days=1)
    while _workdays_between(on_time - timedelta(days=1), today) <= 4:
        on_time -= timedelta(days=1)  # the earliest day with at most 4 working days since
    late = on_time
    while _workdays_between(late, today) < 7:
        late -= timedelta(days=1)
    for account_id, effective in (("1", on_time), ("2", late)):
        w.ok("file", "open", f"weibo:{account_id}", "--region", "福建省/福州市", "--org-name", f"单位{account_id}",
             "--org-code", org(800 + int(account_id)), "--name", f"账号{account_id}",
             "--effective", effective.isoformat())
    at = (datetime.now(SH) + timedelta(seconds=2)).replace(tzinfo=None).isoformat(timespec="seconds")
    found = {f["account"] for f in w.check(at)["findings"] if f["rule"] == "late_filing"}
    assert found == {"weibo:2"}, (on_time, late)


def test_duplicate_account_follows_transfers_as_of_t(w: World) -> None:
    w.registry(row("1", org_code=org(500), platform="微信"), row("2", org_code=org(600), platform="wechat"))
    w.ok("file", "transfer", "wechat:2", "--org-code", org(500), "--org-name", "单位1", "--effective", "2026-09-15")
    flagged = lambda at: {f["account"] for f in w.check(at)["findings"] if f["rule"] == "duplicate_account"}  # noqa: E731
    assert flagged("2026-09-10") == set()
    assert flagged(T) & {"wechat:1", "wechat:2"}


def test_same_post_id_on_two_accounts_are_two_posts(w: World) -> None:
    w.registry(row("1"), row("2"))
    w.posts(*[post("weibo:1", f"p{i}", T_END - timedelta(days=i + 1)) for i in range(3)],
            *[post("weibo:2", f"p{i}", T_END - timedelta(days=i + 1)) for i in range(3)])
    assert not UPDATE_FAMILY & set(w.rules("weibo:1")) and not UPDATE_FAMILY & set(w.rules("weibo:2"))


def test_report_region_filter(w: World) -> None:
    province(w)
    data = json.loads(w.ok("report", "--quarter", "2026Q3", "--at", T, "--region", "福建省/福州市",
                           "--format", "json").stdout)
    assert [r["region"] for r in data["rows"]] == ["福建省/福州市"]
    assert data["total"]["running"] == 3 and {f["account"] for f in data["failed_accounts"]} == {"weibo:3"}


def test_rename_filing_settles_unfiled_rename(w: World, loopback) -> None:
    base, routes = loopback
    routes["/p1"] = weibo_user("新名字", True, "单位1官方微博")
    routes["/f1"] = weibo_cards({"id": "1", "created_at": weibo_time(datetime.now(SH) - timedelta(hours=3)),
                                 "text": "要闻"})
    w.registry(row("1", feed_url=f"{base}/f1", profile_url=f"{base}/p1"))
    w.ok("poll")
    now = lambda: (datetime.now(SH) + timedelta(seconds=2)).replace(tzinfo=None).isoformat(timespec="seconds")  # noqa: E731
    assert "unfiled_rename" in w.rules("weibo:1", now())
    w.ok("file", "rename", "weibo:1", "--name", "新名字")
    assert "unfiled_rename" not in w.rules("weibo:1", now())


def test_hostile_files_are_bad_input_not_tracebacks(w: World) -> None:
    w.registry(row("1"))
    before = w.export()
    junk_xlsx = w.tmp / "junk.xlsx"
    junk_xlsx.write_bytes(b"PK\x03\x04 this is not a workbook")
    binary_csv = w.tmp / "binary.csv"
    binary_csv.write_bytes(b"\xff\xfe\x00\x81\x82" * 50)
    empty_csv = w.tmp / "empty.csv"
    empty_csv.write_bytes(b"")
    bad_jsonl = w.tmp / "bad.jsonl"
    bad_jsonl.write_text(json.dumps(post("weibo:1", "x", "2026-13-45T00:00:00+08:00")) + "\n", encoding="utf-8")
    cases = [["registry", "import", str(junk_xlsx)], ["registry", "import", str(binary_csv)],
             ["registry", "import", str(empty_csv)], ["ingest", str(w.tmp / "nope.jsonl")], ["ingest", str(bad_jsonl)],
             ["observe", "weibo:1", "comments_disabled", "--at", "yesterday-ish"],
             ["file", "close", "weibo:1"], ["--config", str(w.tmp / "missing.toml"), "check", "--at", T]]
    for args in cases:
        result = w.run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit | None), (args, result.exception)
        assert "Traceback" not in result.output
    assert w.export() == before
    assert "empty_shell" in w.rules("weibo:1")  # the bad post was not loaded


def test_app_unavailable_only_for_app_platform(w: World) -> None:
    w.registry(row("1"))
    w.run("observe", "weibo:1", "app_unavailable", "--at", "2026-09-01")  # may be refused; never a finding
    assert "app_unavailable" not in w.rules("weibo:1")


def test_demo_prints_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--accounts", "60", "--no-tui"])
    assert result.exit_code == 0, result.output
    assert "福建省" in result.stdout


def test_poll_douyin_ads_comments_and_once_only(w: World, loopback) -> None:
    base, routes = loopback
    now = datetime.now(SH)
    author = {"nickname": "账号1", "custom_verify": "单位1", "follower_count": 5000}
    routes["/d1"] = json.dumps({"status_code": 0, "aweme_list": [
        {"aweme_id": "701", "desc": "好物推荐", "create_time": int((now - timedelta(days=1)).timestamp()),
         "is_ads": True, "aweme_control": {"can_comment": False}, "author": author},
        {"aweme_id": "702", "desc": "政务公开", "create_time": int((now - timedelta(days=2)).timestamp()),
         "is_ads": False, "aweme_control": {"can_comment": False}, "author": author}]}, ensure_ascii=False).encode()
    w.registry(row("1", platform="douyin", feed_url=f"{base}/d1"))
    polls = [json.loads(w.ok("poll", *accounts, "--format", "json").stdout)["accounts"][0]["new_posts"]
             for accounts in ((), ("douyin:1",))]
    assert polls == [2, 0]  # two posts, each stored once
    at = (datetime.now(SH) + timedelta(seconds=2)).replace(tzinfo=None).isoformat(timespec="seconds")
    rules = w.rules("douyin:1", at)
    assert rules.get("ad_link") == "veto" and rules.get("comments_disabled") == "warning"
    # The feed reaches back two days: low_frequency's 7-day window is not seen, so 待核实 (§6.4)
    assert rules.get("unverified") == "info" and "low_frequency" not in rules


def test_a_post_exactly_at_t_is_seen(w: World) -> None:
    w.registry(row("1"))
    w.posts(post("weibo:1", "edge", "2026-09-30T23:59:59+08:00"))
    assert "empty_shell" not in w.rules("weibo:1", "2026-09-30")
    assert "empty_shell" in w.rules("weibo:1", "2026-09-30T23:59:58+08:00")


def test_report_and_transfer_use_the_registry_as_of_t(w: World) -> None:
    w.registry(row("1", region="福建省/福州市/鼓楼区"), row("2", region="福建省/福州市"))
    w.ok("file", "transfer", "weibo:1", "--org-code", org(77), "--org-name", "思明区政府",
         "--region", "福建省/厦门市/思明区", "--effective", "2026-10-15")
    w.ok("file", "transfer", "weibo:2", "--org-code", org(78), "--org-name", "新主办", "--effective", "2026-10-15")
    assert w.export("2026-10-20")["weibo:2"]["region"] == "福建省/福州市"  # no --region: the region stays
    q3 = {r["region"]: r["running"] for r in w.report("2026Q3", T)["rows"]}
    assert q3 == {"福建省/福州市": 2}
    q4 = {r["region"]: r["running"] for r in w.report("2026Q4", "2026-12-31")["rows"]}
    assert q4 == {"福建省/福州市": 1, "福建省/厦门市": 1}


def test_dry_run_reports_problems_like_import(w: World) -> None:
    result = w.run("registry", "import", "--dry-run", str(w.registry_file([row("1", platform="myspace")])))
    assert result.exit_code == 2 and "myspace" in result.stderr
    assert w.export() == {}


def test_poll_detects_rss_atom_json_feed_from_the_body(w: World, loopback) -> None:
    from email.utils import format_datetime

    base, routes = loopback
    now = datetime.now(SH)
    times = [now - timedelta(days=i + 1) for i in range(3)]
    quote = '<blockquote> - 转发 <a href="https://weibo.com/2" target="_blank">@某某</a>: 原文</blockquote>'
    items = "".join(f"<item><title>转发微博 {i}</title><description><![CDATA[转发微博{quote}]]></description>"
                    f"<link>https://weibo.com/1/r{i}</link><guid>r{i}</guid><pubDate>{format_datetime(t)}</pubDate>"
                    f"</item>" for i, t in enumerate(times))
    routes["/rss"] = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>账号1的微博</title>' \
                     f"<link>https://weibo.com/1</link><description>x</description>{items}</channel></rss>".encode()
    entries = "".join(f"<entry><id>a{i}</id><title>通知{i}</title><link href='https://x.gov.cn/a{i}'/>"
                      f"<updated>{t.isoformat()}</updated><published>{t.isoformat()}</published></entry>"
                      for i, t in enumerate(times))
    routes["/atom"] = f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">' \
                      f"<title>t</title><id>urn:x</id><updated>{now.isoformat()}</updated>{entries}</feed>".encode()
    routes["/jf"] = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
        {"id": f"j{i}", "url": f"https://x.gov.cn/j{i}", "content_text": "公告", "date_published": t.isoformat()}
        for i, t in enumerate(times)]}).encode()
    w.registry(row("1", feed_url=f"{base}/rss"), row("2", feed_url=f"{base}/atom"), row("3", feed_url=f"{base}/jf"))
    w.ok("poll")
    at = (datetime.now(SH) + timedelta(seconds=2)).replace(tzinfo=None).isoformat(timespec="seconds")
    for account in ("weibo:1", "weibo:2", "weibo:3"):
        assert not UPDATE_FAMILY & set(w.rules(account, at)), account  # three posts in the week, all parsed
    config = "[rules.repost_only]\nmin_posts = 3\n"
    assert "repost_only" in w.rules("weibo:1", at, config) and "repost_only" not in w.rules("weibo:2", at, config)
