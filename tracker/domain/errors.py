"""Errors the user can act on. The CLI prints them to stderr and exits 2; no traceback."""

from __future__ import annotations

from dataclasses import dataclass


class TrackerError(Exception):
    """Bad input or an impossible request: exit status 2, database unchanged."""


class ConfigError(TrackerError, ValueError):
    """A config file or setting that cannot be used; the message names its key."""


@dataclass(frozen=True)
class RowProblem:
    """One problem of an input file: where it is and why it is refused."""

    row: int          # 1-based line/row number in the file (the header is row 1)
    column: str       # column name as in the file, or "" for the whole row
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "…"
        return f"{where}: {shown!r}: {self.reason}"


class FileProblems(TrackerError):
    """Every problem of one input file, reported at once."""

    def __init__(self, path: str, problems: list[RowProblem]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}: {len(problems)} problem(s); nothing was written"]
        lines += [f"{path}: {problem}" for problem in problems]
        super().__init__("\n".join(lines))
