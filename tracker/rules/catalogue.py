"""The rule catalogue: every rule is a function registered with `@rule(...)` in a module named by
an entry point of group `govmedia.rules` (the built-in families in pyproject.toml, an office's
local rules in its own package: docs/plugins.md). A rule yields `(account, evidence)` pairs from
the facts of a `CheckContext`; the engine turns them into findings with the severity of the
config: `[rules.CODE]` in config/default.toml for the built-ins, the plugin's `defaults`
overridden by the user's config for a plugin's rule."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.domain.errors import ConfigError
from tracker.domain.plugins import RULES, PluginError, load
from tracker.settings import Settings

Evidence = dict[str, Any]
RuleFunc = Callable[..., Iterable[tuple[str, Evidence]]]

# The update family gives an account at most one finding: the first that applies, in this order.
UPDATE_ORDER = ("empty_shell", "dormant", "no_update", "low_frequency")


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name_zh: str
    name_en: str
    source: str            # the indicator the rule enforces
    family: str
    order: int             # evaluation order (update family first, in UPDATE_ORDER)
    func: RuleFunc
    defaults: dict[str, Any] | None = field(default=None, compare=False)  # a plugin's config section

    @property
    def config_section(self) -> str:
        return f"rules.{self.code}"

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


_RULES: dict[str, RuleSpec] = {}


_LOADED = False


def rule(code: str, *, name_zh: str, name_en: str, source: str, family: str, order: int,
         defaults: dict[str, Any] | None = None) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule. A built-in's thresholds and severity live in config/default.toml; a
    plugin's rule brings `defaults` (at least `enabled` and `severity`), which `[rules.CODE]` in
    the user's config overrides key by key."""
    if defaults is not None and (not isinstance(defaults.get("enabled"), bool)
                                 or defaults.get("severity") not in ("veto", "warning", "info")):
        raise PluginError(f"rule {code!r}: defaults need enabled = true|false and severity = veto|warning|info")
    if family == "update" and code not in UPDATE_ORDER:
        raise PluginError(f"rule {code!r}: the update family is closed (its rules exclude each other in a fixed order)")

    def register(func: RuleFunc) -> RuleFunc:
        if code in _RULES and _RULES[code].func.__module__ != func.__module__:
            raise PluginError(f"rule {code!r} is registered twice ({_RULES[code].func.__module__}, {func.__module__})")
        _RULES[code] = RuleSpec(code, name_zh, name_en, source, family, order, func, defaults)
        return func

    return register


def _load() -> None:
    """Import every module the entry points of `govmedia.rules` name (once)."""
    global _LOADED
    if not _LOADED:
        load(RULES)
        _LOADED = True


def rule_config(settings: Settings, code: str) -> dict[str, Any]:
    """The config of a rule: `[rules.CODE]` of the config, or a plugin's defaults with the user's
    `[rules.CODE]` (checked against the defaults' types) on top."""
    if code in settings.data["rules"]:
        return settings.data["rules"][code]
    _load()
    spec = _RULES.get(code)
    if spec is None or spec.defaults is None:
        raise ConfigError(f"rule {code!r} has no [rules.{code}] section in the config")
    merged = copy.deepcopy(spec.defaults)
    override = settings.extra_rules.get(code)
    if override is not None:
        settings.merge_into(merged, override, f"rules.{code}.")
    return merged


def check_rule_sections(settings: Settings) -> None:
    """Every `[rules.CODE]` of the user's config names an installed rule (a typo is an error)."""
    _load()
    unknown = sorted(code for code in settings.extra_rules if code not in _RULES or _RULES[code].defaults is None)
    if unknown:
        raise ConfigError(f"{settings.user_file}: unknown key 'rules.{unknown[0]}' (no installed rule has that code)")


def rules() -> list[RuleSpec]:
    """Every rule, in evaluation order."""
    _load()
    return sorted(_RULES.values(), key=lambda spec: spec.order)


def get(code: str) -> RuleSpec:
    _load()
    return _RULES[code]


def rule_name(code: str, lang: str = "zh") -> str:
    _load()
    spec = _RULES.get(code)
    return spec.name(lang) if spec else code
