"""`tracker registry …` and `tracker file …` through the command line, on both backends."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import DATA
from tests.registry.registry_helpers import ORG_A

REGISTRY = DATA / "registry"


@pytest.fixture
def tracker(cli):
    return cli


def test_import_list_export_history(tracker) -> None:
    out = tracker("--lang", "en", "registry", "import", str(REGISTRY / "fujian_en.csv")).stdout
    assert "5 rows, 5 new" in out
    listed = json.loads(tracker("registry", "list", "--format", "json", "--status", "active").stdout)
    assert {a["account"] for a in listed} == {"weibo:2803301701", "wechat:gh_5f2d6a1b3c4d", "douyin:MS4wLjABAAAAfz"}
    table = tracker("registry", "list", "--region", "福建省/福州市").stdout
    assert "福州发布" in table and "福建发布" not in table
    exported = list(csv.DictReader(io.StringIO(tracker("registry", "export").stdout)))
    assert len(exported) == 5 and exported[0].keys() >= {"region", "org_code", "status", "opened_on"}
    history = json.loads(tracker("registry", "history", "weibo:2803301701", "--format", "json").stdout)
    assert [e["kind"] for e in history["events"]] == ["open"]


def test_file_commands_and_export_at(tracker) -> None:
    tracker("file", "open", "weibo:42", "--region", "福建省/厦门市", "--org-name", "厦门市人民政府办公厅",
            "--org-code", ORG_A, "--name", "厦门发布", "--effective", "2025-01-10", "--by", "李四")
    tracker("file", "rename", "weibo:42", "--name", "厦门发布厅", "--effective", "2025-03-01", "--approver", "王五", "--doc", "厦府办〔2025〕3号")
    tracker("file", "transfer", "weibo:42", "--org-code", ORG_A, "--org-name", "厦门市大数据局", "--effective", "2025-04-01")
    tracker("file", "suspend", "weibo:42", "--effective", "2025-05-01")
    tracker("file", "close", "weibo:42", "--notice-from", "2025-05-15", "--effective", "2025-06-01")
    at_march = json.loads(tracker("registry", "export", "--format", "json", "--at", "2025-03-01").stdout)
    assert [(a["account_name"], a["status"]) for a in at_march["accounts"]] == [("厦门发布厅", "active")]
    at_may = json.loads(tracker("registry", "export", "--format", "json", "--at", "2025-05-20T12:00:00+08:00").stdout)
    assert [(a["org_name"], a["status"]) for a in at_may["accounts"]] == [("厦门市大数据局", "suspended")]
    events = json.loads(tracker("registry", "history", "weibo:42", "--format", "json").stdout)["events"]
    assert [e["kind"] for e in events] == ["open", "rename", "transfer", "suspend", "close"]
    assert events[0]["by"] == "李四" and events[1]["doc_no"] == "厦府办〔2025〕3号"


@pytest.mark.parametrize(
    "args",
    [
        ["file", "rename", "weibo:404", "--name", "x"],
        ["file", "rename", "weibo404", "--name", "x"],
        ["file", "close", "weibo:404", "--notice-from", "2025-01-01"],
        ["file", "close", "weibo:404", "--notice-from", "yesterday"],
        ["file", "open", "weibo:1", "--region", "福建省", "--org-name", "x", "--org-code", "123", "--name", "x"],
        ["registry", "history", "weibo:404"],
        ["registry", "export", "--at", "not-a-time"],
        ["registry", "import", "/nonexistent/registry.csv"],
    ],
)
def test_bad_requests_exit_2_without_traceback(tracker, args) -> None:
    result = tracker(*args, code=2)
    assert "error" in result.stderr.lower() or "usage" in result.stderr.lower()
    assert "Traceback" not in result.output


def test_unknown_config_key_is_named(tmp_path, db_url) -> None:
    config = tmp_path / "my.toml"
    config.write_text("[rules.no_update]\nwindow_dayz = 7\n", encoding="utf-8")
    from tracker.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="window_dayz"):
        load_settings(config)


def test_file_dates_take_the_registry_file_forms(tracker) -> None:
    """A registrar types 开设日期 and 生效日期 the way the registry spreadsheet writes them."""
    tracker("file", "open", "weibo:43", "--region", "福建省/厦门市", "--org-name", "厦门市人民政府办公厅",
            "--org-code", ORG_A, "--name", "厦门发布", "--opened-on", "2025/1/5")
    tracker("file", "rename", "weibo:43", "--name", "厦门发布厅", "--effective", "2025年3月1日")
    events = json.loads(tracker("registry", "history", "weibo:43", "--format", "json").stdout)["events"]
    assert [(e["kind"], e["effective_on"]) for e in events] == [("open", "2025-01-05"), ("rename", "2025-03-01")]
    refused = tracker("file", "rename", "weibo:43", "--name", "x", "--effective", "2025年2月30日", code=2)
    assert "--effective: not a date" in refused.stderr and "2025年2月30日" in refused.stderr


def test_list_filters_take_chinese_platform_and_status_names(tracker) -> None:
    tracker("registry", "import", str(REGISTRY / "fujian_en.csv"))
    by_code = json.loads(tracker("registry", "list", "--format", "json", "--platform", "weibo", "--status", "active").stdout)
    by_name = json.loads(tracker("registry", "list", "--format", "json", "--platform", "微博", "--status", "正常").stdout)
    assert by_name == by_code and by_code
    refused = tracker("registry", "list", "--platform", "微信视频号", code=2)
    assert "--platform" in refused.stderr and "微信视频号" in refused.stderr
