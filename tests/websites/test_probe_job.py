"""The `[schedule]` probe job (CONTRACT §10): `probes_per_day` spread evenly over the day, run by
`tracker schedule` like the other jobs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.polling.feedserver import FeedServer, Route
from tests.websites.fleet import HTML, config, register
from tracker.cli.main import app
from tracker.domain.errors import ConfigError
from tracker.jobs.runs import probe_cron
from tracker.settings import load_settings


@pytest.mark.parametrize("per_day, cron", [(24, "0 * * * *"), (12, "0 */2 * * *"), (48, "*/30 * * * *"), (0, "")])
def test_probes_per_day_spread_over_the_day(tmp_path, per_day, cron) -> None:
    settings = load_settings(config(tmp_path, f"[schedule]\nprobes_per_day = {per_day}\n"))
    assert probe_cron(settings) == cron


def test_an_uneven_probes_per_day_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="probes_per_day = 25"):
        probe_cron(load_settings(config(tmp_path, "[schedule]\nprobes_per_day = 25\n")))


def test_schedule_lists_and_runs_the_probe_job(cli, db_url, tmp_path) -> None:
    listed = json.loads(cli("schedule", "--list", "--format", "json").stdout)
    assert listed["probe"].endswith(":00:00+08:00")  # on the hour, 24 times a day
    with FeedServer() as server:
        home = server.add("/ok/", Route(body=b"<html>ok</html>", content_type=HTML))
        cli("registry", "import", str(register(tmp_path, {"3500000001": home})))
        ran = json.loads(cli("schedule", "--run-now", "probe", "--format", "json").stdout)
    assert ran[0]["outcome"] == "ok" and ran[0]["counts"]["outcomes"] == {"ok": 1}
    off = config(tmp_path, "[schedule]\nprobes_per_day = 0\n")
    assert "probe" not in json.loads(CliRunner().invoke(app, ["--db", db_url, "--config", str(off), "schedule",
                                                              "--list", "--format", "json"]).stdout)
