"""The one extension mechanism: an office installs its own rule (and a report format) as a
separate package with entry points, and `tracker check` / `tracker report` use them. The plugin
in tests/data/plugin is installed with pip into a folder of its own, put on PYTHONPATH of the
`tracker` processes, so the project's environment stays as it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
AT = "2026-09-30"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(DATA / "plugin")], check=True,
                   capture_output=True, cwd=tmp_path_factory.mktemp("build"))
    return target


def run(args: list[str], site: Path | None, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(site) if site else "", os.environ.get("PYTHONPATH", "")) if p)}
    return subprocess.run([sys.executable, "-m", "tracker.cli.main", "--db", f"sqlite:///{tmp_path / 't.db'}", *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    result = run(["registry", "import", str(DATA / "registry" / "fujian_zh_bom.csv")], None, tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def rules_of(result: subprocess.CompletedProcess) -> set[tuple[str, str, str]]:
    assert result.returncode == 0, result.stderr
    return {(f["account"], f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]}


def test_an_installed_rule_runs_in_check_with_its_defaults_and_the_users_config(plugin_site: Path, registry: Path) -> None:
    without = rules_of(run(["check", "--at", AT, "--format", "json"], None, registry))
    assert not any(rule == "local_title" for _, rule, _ in without)
    found = rules_of(run(["check", "--at", AT, "--format", "json"], plugin_site, registry))
    local = {(account, severity) for account, rule, severity in found if rule == "local_title"}
    assert local == {("app:com.xm.gov", "warning")}  # i厦门 (思明卫健 is deregistered), with the plugin's default severity
    assert found - {f for f in found if f[1] == "local_title"} == without  # the built-ins are unchanged
    config = registry / "office.toml"
    config.write_text('[rules.local_title]\nseverity = "veto"\nneedle = "厦门"\n', encoding="utf-8")
    tuned = rules_of(run(["--config", str(config), "check", "--at", AT, "--format", "json"], plugin_site, registry))
    tuned_local = [severity for _, rule, severity in tuned if rule == "local_title"]
    assert tuned_local == ["veto"] * 3  # every checked name but i厦门, judged as the office's config says


def test_a_mistyped_rule_section_is_an_error_not_silence(plugin_site: Path, registry: Path) -> None:
    config = registry / "office.toml"
    config.write_text('[rules.local_titel]\nenabled = false\n', encoding="utf-8")
    result = run(["--config", str(config), "check", "--at", AT], plugin_site, registry)
    assert result.returncode == 2 and "unknown key 'rules.local_titel'" in result.stderr
    assert "Traceback" not in result.stderr
    config.write_text('[rules.local_title]\nneedle = 3\n', encoding="utf-8")
    result = run(["--config", str(config), "check", "--at", AT], plugin_site, registry)
    assert result.returncode == 2 and "rules.local_title.needle" in result.stderr and "must be string" in result.stderr
    config.write_text('[rules.local_title]\nenabled = false\n', encoding="utf-8")  # known once the plugin is there …
    assert run(["--config", str(config), "check", "--at", AT], plugin_site, registry).returncode == 0
    result = run(["--config", str(config), "check", "--at", AT], None, registry)  # … and unknown without it
    assert result.returncode == 2 and "unknown key 'rules.local_title'" in result.stderr


def test_an_installed_report_format(plugin_site: Path, registry: Path) -> None:
    assert run(["check", "--at", AT], plugin_site, registry).returncode == 0
    result = run(["report", "--quarter", "2026Q3", "--format", "csv"], plugin_site, registry)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "account,rules"
    result = run(["report", "--quarter", "2026Q3", "--format", "csv"], None, registry)
    assert result.returncode == 2 and "--format must be one of" in result.stderr and "csv" not in result.stderr.split("got")[0]
