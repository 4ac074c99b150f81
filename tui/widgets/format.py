"""How values show in tables: times in Asia/Shanghai, evidence as a sentence, codes as labels,
and data as literal text (`literal`): Textual parses a `str` as markup, so a name `[/x]坏名`
would crash a table and `[link=…]` would become a link."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tracker.domain.text_out import printable
from tracker.domain.times import SHANGHAI, as_utc
from tracker.rules.sentences import filing_text, sentence
from tui.i18n import SEVERITY, language, name_of, rule_name


def literal(value: object, style: str = "", *, newlines: bool = False) -> Text:
    """`value` shown as it is: no markup interpreted, no control character or escape sequence
    reaching the terminal (`printable`). Every widget showing data gets one of these."""
    if isinstance(value, Text):
        return value
    return Text(printable(value, newlines=newlines), style=style, end="")


def when(moment: datetime | None, *, seconds: bool = False) -> str:
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(SHANGHAI)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def evidence_line(rule: str, evidence: dict | None, width: int = 80) -> str:
    """A finding's evidence as a sentence in the UI language, cut to `width` characters."""
    return sentence(rule, evidence or {}, language(), width)


def filing_line(payload: dict | None, width: int = 80) -> str:
    """A filing's content as labelled fields in the UI language (地区：…；主办单位：…)."""
    return filing_text(payload or {}, language(), width)


def rule_label(code: str) -> str:
    return f"{rule_name(code)} ({code})"


def severity_label(code: str) -> str:
    return name_of(SEVERITY, code)


def percent(value: float) -> str:
    return f"{value:.2f}%"
