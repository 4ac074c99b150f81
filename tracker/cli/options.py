"""The options many commands share: one `--format table|json` (commands with other formats —
`report`'s md/xlsx/docx, `posts`' jsonl, `registry export`'s csv — declare their own)."""

from __future__ import annotations

from enum import Enum

import typer


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


FORMAT = typer.Option(TableOrJson.table, "--format", help="table (for people) or json.")
