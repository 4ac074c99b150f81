"""The rule registry: every rule is a function registered with `@rule(...)`, found through
`rules()` like a plugin. A rule yields `(account, evidence)` pairs from the facts of a
`CheckContext`; the engine turns them into findings with the configured severity."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Evidence = dict[str, Any]
RuleFunc = Callable[..., Iterable[tuple[str, Evidence]]]

# Rule families, one module each; importing a module registers its rules.
FAMILY_MODULES = ("update", "content", "identity", "filing", "platform")
# The update family gives an account at most one finding: the first that applies, in this order.
UPDATE_ORDER = ("empty_shell", "dormant", "no_update", "low_frequency")


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name_zh: str
    name_en: str
    severity: str          # the default; the config's [rules.CODE] severity wins
    source: str            # the indicator the rule enforces
    family: str
    order: int             # registry order (update family first, in UPDATE_ORDER)
    func: RuleFunc

    @property
    def config_section(self) -> str:
        return f"rules.{self.code}"

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


_RULES: dict[str, RuleSpec] = {}


def rule(code: str, *, name_zh: str, name_en: str, severity: str, source: str, family: str,
         order: int) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        _RULES[code] = RuleSpec(code, name_zh, name_en, severity, source, family, order, func)
        return func

    return register


def _load() -> None:
    for module in FAMILY_MODULES:
        importlib.import_module(f"tracker.rules.{module}")


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
