"""政府网站 in the registry (CONTRACT §10): platform `website`, the 网站标识码 as id, the homepage
as feed_url; import, file open/rename/transfer/close, export and history as for accounts."""

from __future__ import annotations

import csv
import io
import json

from tests.registry.registry_helpers import ORG_A, ORG_B, row, write_registry


def test_import_website_by_chinese_platform_name_and_export(cli, tmp_path) -> None:
    path = write_registry(tmp_path / "r.csv", [
        row("3501000001", platform="政府网站", account_name="福州市人民政府", feed_url="http://127.0.0.1:9/"),
        row("2803301701"),
    ])
    assert "2 rows, 2 new" in cli("--lang", "en", "registry", "import", str(path)).stdout
    listed = json.loads(cli("registry", "list", "--format", "json", "--platform", "website").stdout)
    assert [(a["account"], a["feed_url"]) for a in listed] == [("website:3501000001", "http://127.0.0.1:9/")]
    exported = list(csv.DictReader(io.StringIO(cli("registry", "export").stdout)))
    assert {(r["platform"], r["account_id"]) for r in exported} == {("website", "3501000001"), ("weibo", "2803301701")}
    assert "website:3501000001" in cli("registry", "list", "--platform", "政府网站").stdout


def test_website_id_must_be_a_site_code_and_needs_a_homepage(cli, tmp_path) -> None:
    path = write_registry(tmp_path / "r.csv", [row("fz-gov", platform="website", feed_url="http://127.0.0.1:9/"),
                                               row("3501000002", platform="website")])
    out = cli("--lang", "en", "registry", "import", str(path), code=2).output
    assert "网站标识码" in out and "homepage" in out and "Traceback" not in out
    out = cli("file", "open", "website:35010", "--region", "福建省/福州市", "--org-name", "福州市人民政府办公厅",
              "--org-code", ORG_B, "--name", "福州市人民政府", "--feed-url", "http://127.0.0.1:9/", code=2).output
    assert "网站标识码" in out


def test_file_commands_and_history_of_a_website(cli) -> None:
    cli("file", "open", "website:3502000001", "--region", "福建省/厦门市", "--org-name", "厦门市人民政府办公厅",
        "--org-code", ORG_A, "--name", "厦门市人民政府", "--feed-url", "https://127.0.0.1:9/", "--effective", "2025-01-10")
    cli("file", "rename", "website:3502000001", "--name", "厦门市人民政府门户网站", "--effective", "2025-03-01")
    cli("file", "transfer", "website:3502000001", "--org-code", ORG_A, "--org-name", "厦门市大数据局", "--effective", "2025-04-01")
    cli("file", "close", "website:3502000001", "--notice-from", "2025-05-15", "--effective", "2025-06-01")
    at_march = json.loads(cli("registry", "export", "--format", "json", "--at", "2025-03-15").stdout)["accounts"]
    assert [(a["platform"], a["account_name"], a["feed_url"]) for a in at_march] == [
        ("website", "厦门市人民政府门户网站", "https://127.0.0.1:9/")]
    events = json.loads(cli("registry", "history", "website:3502000001", "--format", "json").stdout)["events"]
    assert [e["kind"] for e in events] == ["open", "rename", "transfer", "close"]
