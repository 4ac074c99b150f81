"""How values show in tables: times in Asia/Shanghai, evidence in one line, codes as labels,
and data as literal text (`literal`): Textual parses a `str` as markup, so a name `[/x]坏名`
would crash a table and `[link=…]` would become a link."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tracker.domain.text_out import printable
from tracker.domain.times import SHANGHAI, as_utc
from tui.i18n import SEVERITY, name_of, rule_name


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


def evidence_line(evidence: dict | None, width: int = 80) -> str:
    """`key=value; …` of a finding's evidence, cut to `width` characters."""
    if not evidence:
        return ""
    parts = []
    for key, value in evidence.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(item) for item in value[:3]) + ("…" if len(value) > 3 else "")
        parts.append(f"{key}={value}")
    text = "; ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def rule_label(code: str) -> str:
    return f"{rule_name(code)} ({code})"


def severity_label(code: str) -> str:
    return name_of(SEVERITY, code)


def percent(value: float) -> str:
    return f"{value:.2f}%"
