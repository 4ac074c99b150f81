from pathlib import Path

import pytest

from tracker.settings import ConfigError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_hold_every_rule_of_the_contract() -> None:
    rules = load_settings().data["rules"]
    expected = {
        "empty_shell", "dormant", "no_update", "low_frequency", "repost_only", "stopped_not_deregistered",
        "comments_disabled", "ad_link", "privacy_leak", "banned_expression", "unfiled_rename",
        "subject_mismatch", "duplicate_account", "late_filing", "app_unavailable", "fake_engagement", "feed_unreachable",
    }
    assert expected <= set(rules)
    assert all({"enabled", "severity"} <= set(section) for section in rules.values())
    assert rules["no_update"]["window_days"] == 14 and rules["empty_shell"]["grace_days"] == 30


def test_user_file_overrides_key_by_key(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, "[rules.no_update]\nwindow_days = 7\n"))
    assert settings.rule("no_update") == {"enabled": True, "severity": "veto", "window_days": 7}
    assert settings.rule("dormant")["days"] == 90
    assert load_settings().rule("no_update")["window_days"] == 14  # defaults untouched


def test_int_accepted_where_number_expected(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, "[rules.repost_only]\nmax_repost_share = 1\n"))
    assert settings.rule("repost_only")["max_repost_share"] == 1.0


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[rules.no_update]\nwindow_days = \"seven\"\n", ["rules.no_update.window_days", "integer"]),
        ("[rules.no_update]\nenabled = 1\n", ["rules.no_update.enabled", "boolean"]),
        ("[rules.no_update]\nseverity = \"fatal\"\n", ["severity", "veto, warning, info"]),
        ("[rules.ad_link]\ndomains = \"jd.com\"\n", ["rules.ad_link.domains", "array of strings"]),
        ("rules = 3\n", ["'rules'", "table"]),
        ("[rules\n", ["not valid TOML"]),
    ],
)
def test_bad_user_file_names_file_key_and_type(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_a_rule_section_of_no_installed_rule_is_an_error_once_the_rules_load(tmp_path: Path) -> None:
    """A plugin's rule may own `[rules.CODE]`, so the section is checked against the installed rules."""
    from tracker.rules.catalogue import check_rule_sections

    path = _write(tmp_path, "[rules.nope]\nenabled = true\n")
    settings = load_settings(path)
    with pytest.raises(ConfigError) as caught:
        check_rule_sections(settings)
    assert str(path) in str(caught.value) and "unknown key 'rules.nope'" in str(caught.value)
    with pytest.raises(ConfigError):
        load_settings(_write(tmp_path, "[rules.nope]\n[nope]\nx = 1\n"))  # outside [rules] nothing is deferred


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_relative_paths_resolve_to_user_dir_then_builtin(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("词\n", encoding="utf-8")
    settings = load_settings(_write(tmp_path, "[rules.banned_expression]\nlexicons = [\"mine.txt\", \"lexicons/serious_errors.txt\"]\n"))
    assert settings.resolve("mine.txt") == tmp_path / "mine.txt"
    assert settings.resolve("lexicons/serious_errors.txt").exists()
