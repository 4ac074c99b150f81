"""Issue 13 item 12 / CONTRACT §5.3 `deny_networks`: URLs into link-local and cloud metadata
networks are refused at registry import, at `file open` and at fetch time — on the address
actually connected to, redirects included — while loopback stays allowed; ports beyond 65535
and malformed IPv6 hosts are refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tests.polling.test_pipeline import add_account, posts_of
from tests.polling.test_poller import outcomes, rss, settings
from tests.registry.registry_helpers import row, write_registry
from tracker.cli.main import app
from tracker.polling.poller import poll
from tracker.storage.db import Database

DENIED = ["http://169.254.169.254/latest/meta-data/", "http://100.100.100.200/latest/meta-data/",
          "http://[fe80::1]/feed", "http://[::ffff:169.254.169.254]/", "http://2852039166/", "http://[fd00:ec2::254]/"]


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("url", DENIED)
def test_registry_import_refuses_denied_addresses(sqlite_url: str, tmp_path: Path, url: str) -> None:
    path = write_registry(tmp_path / "r.csv", [row("1", feed_url="http://127.0.0.1:8080/ok"), row("2", profile_url=url)])
    result = run("--db", sqlite_url, "--lang", "en", "registry", "import", str(path))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "denied network" in result.output and url.split("/")[2].strip("[]")[:8] in result.output
    listed = run("--db", sqlite_url, "--lang", "en", "registry", "list")
    assert "账号1" not in listed.output  # all or nothing


@pytest.mark.parametrize(("url", "reason"), [("http://127.0.0.1:70000/feed", "port out of range"),
                                             ("http://[::1/feed", "IPv6"), ("http://[::zz]/feed", "IPv6")])
def test_registry_import_refuses_bad_ports_and_ipv6_hosts(sqlite_url: str, tmp_path: Path, url: str, reason: str) -> None:
    path = write_registry(tmp_path / "r.csv", [row("1", feed_url=url)])
    result = run("--db", sqlite_url, "--lang", "en", "registry", "import", str(path))
    assert result.exit_code != 0 and "Traceback" not in result.output and reason in result.output


def test_file_open_refuses_metadata_and_keeps_loopback(sqlite_url: str) -> None:
    common = ["--region", "福建省/福州市", "--org-name", "福州市人民政府办公厅", "--org-code", row("x")["org_code"],
              "--name", "福州发布"]
    refused = run("--db", sqlite_url, "--lang", "en", "file", "open", "weibo:9", *common,
                  "--feed-url", "http://100.100.100.200/latest/meta-data/")
    assert refused.exit_code != 0 and "denied network" in refused.output and "Traceback" not in refused.output
    fine = run("--db", sqlite_url, "--lang", "en", "file", "open", "weibo:9", *common,
               "--feed-url", "http://127.0.0.1:8080/feed")
    assert fine.exit_code == 0, fine.output


def test_configured_deny_list_applies_to_import(sqlite_url: str, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[poll]\ndeny_networks = ["127.0.0.0/8"]\n', encoding="utf-8")
    path = write_registry(tmp_path / "r.csv", [row("1", feed_url="http://127.0.0.1:8080/ok")])
    result = run("--db", sqlite_url, "--config", str(config), "--lang", "en", "registry", "import", str(path))
    assert result.exit_code != 0 and "127.0.0.0/8" in result.output


def test_poll_refuses_denied_addresses_without_a_packet(sqlite_db: Database, feed_server: FeedServer) -> None:
    """Rows stored before the check (or written past it) are refused at fetch time: `blocked`."""
    # loopback denied by configuration: a literal, and a name resolving into it (the check is on
    # the resolved address the client would connect to, not on the URL's text)
    literal = add_account(sqlite_db, "weibo:lit", feed_url=feed_server.add("/lit", Route(body=rss("lit"))))
    named = add_account(sqlite_db, "weibo:name", feed_url=feed_server.add("/name", Route(body=rss("name")))
                        .replace("127.0.0.1", "localhost"))
    report = poll(sqlite_db, settings(deny_networks=["127.0.0.0/8", "::1/128"]))
    got = {r.account: r for r in report.results}
    for key in (literal, named):
        assert str(got[key].outcome) == "blocked" and "denied network" in got[key].detail
    assert feed_server.hits["/lit"] == 0 and feed_server.hits["/name"] == 0


def test_poll_refuses_a_redirect_into_metadata_and_keeps_loopback(sqlite_db: Database, feed_server: FeedServer) -> None:
    hop = add_account(sqlite_db, "weibo:hop", feed_url=feed_server.add(
        "/hop", Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})))
    meta = add_account(sqlite_db, "weibo:meta", feed_url="http://169.254.169.254/latest/meta-data/")
    ali = add_account(sqlite_db, "weibo:ali", profile_url="http://100.100.100.200/latest/meta-data/")
    port = add_account(sqlite_db, "weibo:port", feed_url="http://127.0.0.1:70000/feed")
    v6 = add_account(sqlite_db, "weibo:v6", feed_url="http://[::zz]/feed")
    fine = add_account(sqlite_db, "weibo:fine", feed_url=feed_server.add("/fine", Route(body=rss("fine"))))
    report = poll(sqlite_db, settings(total_timeout=5.0, connect_timeout=5.0))
    got = {r.account: r for r in report.results}
    assert outcomes(report)[fine] == ("ok", 200) and len(posts_of(sqlite_db, fine)) == 3
    for key in (hop, meta, ali):
        assert str(got[key].outcome) == "blocked", (key, got[key].detail)
        assert "169.254.169.254" in got[key].detail or "100.100.100.200" in got[key].detail
    for key, reason in ((port, "port out of range"), (v6, "IPv6")):
        assert str(got[key].outcome) == "network_error" and reason in got[key].detail
        assert "unexpected" not in got[key].detail
