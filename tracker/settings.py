"""Configuration: the built-in `config/default.toml` overridden key by key by a user file.

The built-in file is also the schema: a user key that it does not have, or a value of another
type, stops the program with the file, the key and the expected type named.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tracker.domain.errors import ConfigError, TrackerError
from tracker.domain.files import read_regular_file


def _default_path() -> Path:
    return Path(str(resources.files("config") / "default.toml"))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        if value and isinstance(value[0], int) and not isinstance(value[0], bool):
            return "array of integers"
        return "array of strings"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _accepts(expected: Any, given: Any) -> bool:
    if isinstance(expected, bool):
        return isinstance(given, bool)
    if isinstance(expected, float):
        return isinstance(given, (int, float)) and not isinstance(given, bool)
    if isinstance(expected, int):
        return isinstance(given, int) and not isinstance(given, bool)
    if isinstance(expected, list):
        if expected and isinstance(expected[0], int) and not isinstance(expected[0], bool):  # e.g. warn_days
            return isinstance(given, list) and all(isinstance(item, int) and not isinstance(item, bool) for item in given)
        return isinstance(given, list) and all(isinstance(item, str) for item in given)
    return isinstance(given, type(expected))


# Arrays of tables (`[[alerts.webhooks]]`): each table's keys and their types, from these defaults.
TABLE_ARRAYS: dict[str, dict[str, Any]] = {
    "alerts.webhooks": {"name": "", "kind": "", "url": "", "url_env": "", "secret": "", "secret_env": "",
                        "regions": [""], "alerts": [""], "rate_per_minute": 0, "enabled": True},
}


def _merge_tables(file: Path | None, dotted: str, value: Any) -> list[dict[str, Any]]:
    """An array of tables checked key by key against `TABLE_ARRAYS[dotted]`, defaults filled in."""
    schema = TABLE_ARRAYS[dotted]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{file}: key '{dotted}' must be an array of tables ([[{dotted}]]), got {_type_name(value)}")
    tables = []
    for number, item in enumerate(value, 1):
        table = {key: ([] if isinstance(default, list) else default) for key, default in schema.items()}
        for key, given in item.items():
            where = f"{dotted}[{number}].{key}"
            if key not in schema:
                raise ConfigError(f"{file}: unknown key '{where}'")
            if not _accepts(schema[key], given):
                raise ConfigError(f"{file}: key '{where}' must be {_type_name(schema[key])}, got {_type_name(given)} {given!r}")
            _check_range(file, f"{dotted}.{key}", given)
            table[key] = given
        tables.append(table)
    return tables


_DAYS = (0, 36500)  # up to a century: far from timedelta's limit
# The allowed range of every number of the config, by its dotted key or, for rules (plugin rules
# too), by its last part. Checked in one place, `_check_range`, as each key is merged.
RANGES: dict[str, tuple[float, float]] = {
    "coverage.grace_hours": (0, 87600),
    "database.lock_timeout_seconds": (0, 86400),
    "websites.probe_timeout_seconds": (0.001, 86400),
    "websites.max_links": (0, 100000),
    "websites.link_timeout_seconds": (0.001, 86400),
    "websites.max_columns": (0, 10000),
    "websites.max_page_bytes": (1, 2**31),
    "poll.per_host_rate": (0, 100000),
    "poll.private_host_rate": (0, 100000),
    "poll.retries": (0, 100),
    "poll.retry_base_seconds": (0, 86400),
    "poll.retry_after_max": (0, 31536000),
    "inspection.website_ratio": (0.0001, 1),
    "schedule.probes_per_day": (0, 86400),
    "poll.concurrency": (1, 10000),
    "poll.per_host": (1, 10000),
    "poll.connect_timeout": (0.001, 86400),
    "poll.read_timeout": (0.001, 86400),
    "poll.total_timeout": (0.001, 86400),
    "poll.max_body_bytes": (1, 2**31),
    "poll.max_redirects": (0, 100),
    "poll.backoff_base_minutes": (0, 525600),
    "poll.backoff_max_hours": (0, 87600),
    "inspection.default_ratio": (0.0001, 1),
    "cases.due_days": (1, 36500),
    "schedule.misfire_grace_seconds": (0, 31536000),
    "schedule.worker_batch": (1, 1000000),
    "schedule.lease_seconds": (1, 31536000),
    "alerts.case_due_days": (0, 36500),
    "alerts.max_attempts": (1, 1000),
    "alerts.retry_base_seconds": (0, 86400),
    "alerts.retry_max_seconds": (0, 31536000),
    "alerts.timeout_seconds": (0.001, 3600),
    "alerts.send_budget_seconds": (0, 86400),
    "alerts.max_listed": (1, 10000),
    "alerts.webhooks.rate_per_minute": (0, 100000),
}
RULE_RANGES: dict[str, tuple[float, float]] = {
    "grace_days": _DAYS, "days": _DAYS, "window_days": (1, 36500), "working_days": _DAYS,
    "min_posts": (0, 1000000), "failures": (1, 1000000),
    "max_repost_share": (0, 1), "max_daily_growth": (0, 1000000),
}
_OTHER = (-1e15, 1e15)  # a number of a plugin's rule that names no known setting: finite, not huge


def _range_of(dotted: str) -> tuple[float, float] | None:
    if dotted in RANGES:
        return RANGES[dotted]
    if dotted.startswith("rules."):
        return RULE_RANGES.get(dotted.rsplit(".", 1)[-1], _OTHER)
    return None


def _check_range(file: Path | None, dotted: str, value: Any) -> None:
    """A number outside its key's range (NaN, negative windows, huge values…) → ConfigError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    low, high = _range_of(dotted) or _OTHER
    shown = lambda bound: f"{bound:g}" if isinstance(bound, float) else str(bound)  # noqa: E731
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{file}: key '{dotted}' must be a finite number from {shown(low)} to {shown(high)}, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{file}: key '{dotted}' must be from {shown(low)} to {shown(high)}, got {value!r}")


def _merge(base: dict, override: dict, file: Path | None, prefix: str = "", extras: dict | None = None) -> None:
    for key, value in override.items():
        dotted = f"{prefix}{key}"
        if key not in base and prefix == "rules." and extras is not None and isinstance(value, dict):
            extras[key] = value  # a plugin's rule, perhaps: checked once the rules are loaded
            continue
        if key not in base:
            raise ConfigError(f"{file}: unknown key '{dotted}'")
        expected = base[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{file}: key '{dotted}' must be a table, got {_type_name(value)}")
            _merge(expected, value, file, dotted + ".", extras)
            continue
        if dotted in TABLE_ARRAYS:
            base[key] = _merge_tables(file, dotted, value)
            continue
        if not _accepts(expected, value):
            raise ConfigError(
                f"{file}: key '{dotted}' must be {_type_name(expected)}, got {_type_name(value)} {value!r}"
            )
        _check_range(file, dotted, value)
        if dotted.endswith(".severity") and value not in ("veto", "warning", "info"):
            raise ConfigError(f"{file}: key '{dotted}' must be one of veto, warning, info, got {value!r}")
        base[key] = float(value) if isinstance(expected, float) else value


def _read_toml(path: Path) -> dict:
    try:
        data = read_regular_file(path, "config file")
    except TrackerError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: a config file must be UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


@dataclass(frozen=True)
class Settings:
    data: dict[str, Any]
    base_dir: Path          # where relative paths of the built-in file resolve
    user_dir: Path | None   # where relative paths of the user file resolve
    user_file: Path | None = None
    extra_rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # [rules.CODE] of no built-in rule

    def merge_into(self, base: dict[str, Any], override: dict[str, Any], prefix: str) -> None:
        """Apply a user's table onto `base` with the same checks as the config file's keys."""
        _merge(base, override, self.user_file, prefix)

    def rule(self, code: str) -> dict[str, Any]:
        """A built-in rule's `[rules.CODE]` (a plugin's rule: `tracker.rules.catalogue.rule_config`)."""
        return self.data["rules"][code]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def lock_timeout(self) -> float:
        """`[database] lock_timeout_seconds`: how long a SQLite write waits for another process."""
        return float(self.data["database"]["lock_timeout_seconds"])

    @property
    def grace_hours(self) -> float:
        """`[coverage] grace_hours`: how long a successful fetch counts as having seen the feed."""
        return float(self.data["coverage"]["grace_hours"])

    def resolve(self, relative: str) -> Path:
        """A path named in the config: absolute, relative to the user file, or built-in."""
        path = Path(relative)
        if path.is_absolute():
            return path
        if self.user_dir is not None and (self.user_dir / path).exists():
            return self.user_dir / path
        return self.base_dir / path


_DEFAULT_CACHE: dict[str, Any] | None = None


def load_settings(user_file: str | Path | None = None) -> Settings:
    global _DEFAULT_CACHE
    default_path = _default_path()
    if _DEFAULT_CACHE is None:
        _DEFAULT_CACHE = _read_toml(default_path)
    data = copy.deepcopy(_DEFAULT_CACHE)
    user_dir = None
    extras: dict[str, dict[str, Any]] = {}
    path = None
    if user_file:
        path = Path(user_file)
        _merge(data, _read_toml(path), path, extras=extras)
        user_dir = path.resolve().parent
    return Settings(data=data, base_dir=default_path.parent, user_dir=user_dir, user_file=path, extra_rules=extras)
