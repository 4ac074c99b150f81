"""Configuration: the built-in `config/default.toml` overridden key by key by a user file.

The built-in file is also the schema: a user key that it does not have, or a value of another
type, stops the program with the file, the key and the expected type named.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tracker.domain.errors import ConfigError


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
        return isinstance(given, list) and all(isinstance(item, str) for item in given)
    return isinstance(given, type(expected))


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
        if not _accepts(expected, value):
            raise ConfigError(
                f"{file}: key '{dotted}' must be {_type_name(expected)}, got {_type_name(value)} {value!r}"
            )
        if dotted.endswith(".severity") and value not in ("veto", "warning", "info"):
            raise ConfigError(f"{file}: key '{dotted}' must be one of veto, warning, info, got {value!r}")
        base[key] = float(value) if isinstance(expected, float) else value


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
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
        lock_timeout = data["database"]["lock_timeout_seconds"]
        if not 0 <= lock_timeout <= 86_400:  # NaN fails too
            raise ConfigError(f"{path}: key 'database.lock_timeout_seconds' must be between 0 and 86400, got {lock_timeout:g}")
        if data["coverage"]["grace_hours"] < 0:
            raise ConfigError(f"{path}: key 'coverage.grace_hours' must be 0 or more, got {data['coverage']['grace_hours']:g}")
    return Settings(data=data, base_dir=default_path.parent, user_dir=user_dir, user_file=path, extra_rules=extras)
