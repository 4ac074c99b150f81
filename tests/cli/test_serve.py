"""`tracker serve`: the terminal UI in a browser. Headless Chromium (Debian's, driven by
Playwright) opens the page on loopback and the dashboard's totals arrive over its websocket."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.tui.test_tui_sample import build_sample
from tracker.cli.serve import tui_command_line
from tracker.storage.db import open_database

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"tracker serve exited: {server.communicate()[0].decode(errors='replace')}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_each_session_runs_the_tui_on_the_same_database_and_settings() -> None:
    line = tui_command_line("sqlite:////srv/a b.db", "/etc/tracker.toml", "en")
    assert line.startswith(sys.executable)
    assert line.endswith("-m tracker.cli.main --db 'sqlite:////srv/a b.db' --lang en --config /etc/tracker.toml tui")


@pytest.fixture
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") or os.environ.get("TRACKER_REQUIRE_PG"):  # .ci/run sets the latter
            pytest.fail("CI installs Debian's chromium (.ci/run); it is missing")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_dashboard_opens_in_a_browser(browser, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    db = open_database(url)
    build_sample(db, tmp_path)
    db.dispose()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "tracker.cli.main", "--db", url, "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", server)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(
            data if isinstance(data, bytes) else data.encode("utf-8"))))
        page.goto(f"http://127.0.0.1:{port}/")
        screen = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not re.search(r"合计\s+23\s+23\s+3\b", screen):
            page.wait_for_timeout(300)
            screen = ESCAPES.sub(b"", b"".join(frames)).decode("utf-8", "replace")
        assert "运行总数" in screen and re.search(r"合计\s+23\s+23\s+3\b", screen), screen[-2000:]
        if os.environ.get("TRACKER_SCREENSHOT"):  # docs/images/serve.png is made this way
            page.screenshot(path=os.environ["TRACKER_SCREENSHOT"])
    finally:  # the server and the UI process of the page's session
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)
