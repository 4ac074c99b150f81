"""Horizontal bars drawn with block characters: the dashboard's 不合格率 by quarter and by platform.

Each bar is `label ███▍ 12.34%`, scaled to the largest value shown (at least 1 %, so that a few
tenths of a percent do not fill the width). A bar without a value says so in words, because a
quarter the tool did not judge is not a quarter at 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None   # None: no data
    text: str             # what is printed after the bar (the rate, or why there is none)


def bar_text(fraction: float, width: int) -> str:
    """`fraction` (0…1) of `width` cells, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


class Bars(Static):
    """A few labelled bars; `show(bars)` replaces them."""

    def __init__(self, *, width: int = 24, id: str | None = None) -> None:
        super().__init__("", id=id, classes="bars")
        self.bar_width = width

    def show(self, bars: list[Bar]) -> None:
        self.update(render_bars(bars, self.bar_width))


def render_bars(bars: list[Bar], width: int) -> Text:
    label_cells = max((cell_len(bar.label) for bar in bars), default=0)
    top = max([1.0] + [bar.value for bar in bars if bar.value is not None])
    out = Text()
    for index, bar in enumerate(bars):
        if index:
            out.append("\n")
        out.append(bar.label + " " * (label_cells - cell_len(bar.label) + 1))  # literal: never markup
        if bar.value is None:
            out.append("·" * width, style="dim")
            out.append(f" {bar.text}", style="dim")
            continue
        drawn = bar_text(bar.value / top, width)
        out.append(drawn, style="bold red" if bar.value > 0 else "green")
        out.append(" " * (width - cell_len(drawn)))
        out.append(f" {bar.text}")
    return out
